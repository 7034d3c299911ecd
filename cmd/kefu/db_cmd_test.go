package main

import (
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu/store/storetest"
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

// readCommands are the commands that read or queue, which need a kefu database that
// exists: a mistyped --db must not leave an empty one behind.
var readCommands = [][]string{
	{"app", "list"},
	{"app", "update", "--appid", testAppID, "--mode", "plain"},
	{"app", "remove", "--appid", testAppID},
	{"messages", "--app", testAppID},
	{"send", "--app", testAppID, "--to", "oUser", "--text", "hi"},
}

// TestReadCommandsNeedADatabase: a command that reads or queues refuses a --db with
// no database, says which command creates one, and creates nothing.
func TestReadCommandsNeedADatabase(t *testing.T) {
	t.Parallel()
	for _, args := range readCommands {
		dir := t.TempDir()
		db := filepath.Join(dir, "sub", "kefu.db")
		wantExit(t, kefuDB(t, db, args...), 1, "no kefu database at "+db, "`kefu serve` or `kefu app add` creates one")
		if _, err := os.Stat(filepath.Join(dir, "sub")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("kefu %s created %s (stat: %v)", strings.Join(args, " "), filepath.Join(dir, "sub"), err)
		}
		if _, err := os.Stat(filepath.Join(dir, "kefu.db")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("kefu %s created a database (stat: %v)", strings.Join(args, " "), err)
		}
	}
}

// TestReadCommandsNeedKefuTables: a database that exists but that kefu never set up
// (an empty file, another program's SQLite database) is refused as well, and left as
// it was.
func TestReadCommandsNeedKefuTables(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range readCommands {
		wantExit(t, kefuDB(t, empty, args...), 1, empty+" has no kefu tables", "`kefu serve` or `kefu app add` creates them")
		if tables := sqliteTables(t, empty); len(tables) != 0 {
			t.Fatalf("kefu %s created tables %v", strings.Join(args, " "), tables)
		}
	}
	// Once kefu has set it up, the file is a kefu database.
	addApp(t, empty)
	wantExit(t, kefuDB(t, empty, "app", "list"), 0, testAppID)
}

// TestReadCommandsNeedKefuTablesPostgres: on PostgreSQL the database exists (or the
// connection fails by itself); without kefu's tables it is refused, not migrated.
func TestReadCommandsNeedKefuTablesPostgres(t *testing.T) {
	t.Parallel()
	url := storetest.FreshSchema(t, storetest.PostgresURL(t))
	for _, args := range readCommands {
		wantExit(t, kefuDB(t, url, args...), 1, "has no kefu tables", "`kefu serve` or `kefu app add` creates them")
	}
	if strings.Contains(kefuDB(t, url, "app", "list").stderr, "@") {
		t.Errorf("the error shows the URL, which may hold a password")
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("refused commands created %d tables", n)
	}
	addApp(t, url)
	wantExit(t, kefuDB(t, url, "app", "list"), 0, testAppID)
}

// sqliteTables lists the tables of the SQLite file at path.
func sqliteTables(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}
