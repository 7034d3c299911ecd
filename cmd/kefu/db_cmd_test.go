package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
