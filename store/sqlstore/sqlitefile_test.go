package sqlstore_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu"
	"kefu/store/sqlstore"
)

// openSQLite opens the SQLite database at path the way the CLI's creating commands do.
func openSQLite(path string) (*sqlstore.Store, error) {
	return sqlstore.Open(context.Background(), path, sqlstore.Options{NoIngest: true})
}

// TestSQLiteCreatesOnlyTheLastDirectory: a database in a missing directory gets that
// directory, private to its owner; a path two directories deep into nothing creates
// nothing and names the missing one.
func TestSQLiteCreatesOnlyTheLastDirectory(t *testing.T) {
	root := t.TempDir()

	s, err := openSQLite(filepath.Join(root, "data", "kefu.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	info, err := os.Stat(filepath.Join(root, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 || perm&0o700 != 0o700 {
		t.Errorf("the database's directory has mode %v, want rwx for its owner only", perm)
	}

	missing := filepath.Join(root, "no", "such")
	_, err = openSQLite(filepath.Join(missing, "kefu.db"))
	if err == nil {
		t.Fatal("opened a database two missing directories deep")
	}
	if kefu.ErrorCodeOf(err) != kefu.ENotFound || !strings.Contains(err.Error(), filepath.Join(root, "no")+" does not exist") {
		t.Errorf("error %q (%s), want not_found naming %s", err, kefu.ErrorCodeOf(err), filepath.Join(root, "no"))
	}
	if _, err := os.Stat(filepath.Join(root, "no")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed open left %s behind (stat: %v)", filepath.Join(root, "no"), err)
	}
}

// TestSQLiteFilesArePrivate: the database holds app secrets, so the database file and
// the -wal and -shm files SQLite creates beside it are the owner's alone, whatever
// the umask would allow.
func TestSQLiteFilesArePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kefu.db")
	s, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app := &kefu.App{AppID: "wx0000000000000001", Token: "token", Secret: "secret", Mode: kefu.ModePlain, Format: kefu.FormatXML}
	if err := s.CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v: others may use it", filepath.Base(p), perm)
		}
	}
	if loose := s.LooseFiles(); len(loose) != 0 {
		t.Errorf("LooseFiles() = %v for a database kefu created", loose)
	}
}

// TestSQLiteLooseFiles: a database left open to others (by an older kefu, or by hand)
// is reported, and its mode left as it is.
func TestSQLiteLooseFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kefu.db")
	s, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = openSQLite(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	loose := s.LooseFiles()
	if len(loose) == 0 || loose[0] != (sqlstore.LooseFile{Path: path, Mode: 0o644}) {
		t.Errorf("LooseFiles() = %v, want %s first with mode 0644", loose, path)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("the database's mode changed: %v, %v", info.Mode(), err)
	}
}
