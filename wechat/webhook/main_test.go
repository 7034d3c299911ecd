package webhook_test

import (
	"os"
	"testing"
)

// sharedDir holds files that outlive a single test, such as the fuzz target's
// store, and is removed when the test binary ends.
var sharedDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kefu-webhook-test-")
	if err != nil {
		panic(err)
	}
	sharedDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
