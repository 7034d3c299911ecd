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
