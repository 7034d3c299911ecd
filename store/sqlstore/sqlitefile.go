package sqlstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"kefu"
)

// makeSQLiteDir creates the database's directory if it is missing, but only that one
// directory, and private to its owner: a mistyped --db must not leave a trail of
// directories from the root, and the database in it holds app secrets.
func makeSQLiteDir(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // there, or a failure that opening the file reports with its path
	}
	err := os.Mkdir(dir, 0o700)
	switch {
	case err == nil, errors.Is(err, fs.ErrExist):
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return kefu.Errorf(kefu.ENotFound, "database %s: directory %s does not exist (kefu creates only the database's own directory, %s)",
			path, filepath.Dir(dir), dir)
	}
	return fmt.Errorf("database %s: create directory: %w", path, err)
}
