package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDBInMissingDirectories: a creating command (kefu app add, as kefu serve) makes
// the database's own directory, but refuses to build a path of missing ones and
// names the first that is missing.
func TestDBInMissingDirectories(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	missing := filepath.Join(root, "no")
	wantExit(t, kefuDB(t, filepath.Join(missing, "such", "kefu.db"), addArgs()...), 1, missing+" does not exist")
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("kefu app add created %s (stat: %v)", missing, err)
	}
	wantExit(t, kefuDB(t, filepath.Join(root, "data", "kefu.db"), addArgs()...), 0)
}

// TestServeWarnsOfLooseDatabase: kefu serve names a database file that others may
// read, and says how to close it.
func TestServeWarnsOfLooseDatabase(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, db)
	s.stop(t)
	if log := s.stderr.String(); !strings.Contains(log, db) || !strings.Contains(log, "chmod 600") {
		t.Errorf("serve did not warn of %s open to others:\n%s", db, log)
	}
}

// TestDBNotAFile: a --db that cannot be a kefu database is named in the error with
// the reason, rather than SQLite's bare "unable to open database file (14)".
func TestDBNotAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wantExit(t, kefuDB(t, dir, addArgs()...), 1, dir+" is a directory", filepath.Join(dir, "kefu.db"))

	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 20)), 0o600); err != nil {
		t.Fatal(err)
	}
	wantExit(t, kefuDB(t, text, addArgs()...), 1, text, "not a database")
	wantExit(t, kefuDB(t, filepath.Join(text, "kefu.db"), addArgs()...), 1, filepath.Join(text, "kefu.db"), "not a directory")
}
