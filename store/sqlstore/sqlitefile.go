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

// openSQLiteFile creates the database file, if it does not exist and create is set,
// readable and writable by its owner only. SQLite gives the -wal and -shm files it
// creates the database file's permission bits, so they are private too. The mode is
// asked for at creation rather than left to the process umask (0644 under the usual
// 022): the database holds app secrets. An existing file is opened once here because
// SQLite's own error names neither the file nor the reason ("unable to open database
// file (14)").
func openSQLiteFile(path string, create bool) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return kefu.Errorf(kefu.EInvalid, "database %s is a directory: give the path of a file, such as %s",
			path, filepath.Join(path, "kefu.db"))
	}
	var f *os.File
	err := fs.ErrExist
	if create {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if errors.Is(err, fs.ErrExist) {
		f, err = os.OpenFile(path, os.O_RDWR, 0)
	}
	if !create && errors.Is(err, fs.ErrNotExist) {
		return kefu.Errorf(kefu.ENotFound, "no kefu database at %s: `kefu serve` or `kefu app add` creates one", path)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in our message
		}
		return fmt.Errorf("database %s: %w", path, err)
	}
	return f.Close()
}

// LooseFile is a file of the database that users other than its owner may use.
type LooseFile struct {
	Path string
	Mode fs.FileMode
}

// LooseFiles lists the SQLite database's files (the database, its -wal and -shm) that
// grant any access to users other than their owner: kefu creates them private, but an
// older kefu or an operator may have left them open, and kefu does not change the
// mode of a file it did not create. Nil on PostgreSQL.
func (s *Store) LooseFiles() []LooseFile {
	if s.path == "" {
		return nil
	}
	var loose []LooseFile
	for _, p := range []string{s.path, s.path + "-wal", s.path + "-shm"} {
		if info, err := os.Stat(p); err == nil && info.Mode().Perm()&0o077 != 0 {
			loose = append(loose, LooseFile{Path: p, Mode: info.Mode().Perm()})
		}
	}
	return loose
}
