package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionCommand: kefu --version and kefu version print one line naming kefu's
// version, and the usage text tells of them.
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	var first string
	for _, arg := range []string{"--version", "version"} {
		r := kefuCmd(t, noEnv, arg)
		wantExit(t, r, 0)
		if !strings.HasPrefix(r.stdout, "kefu ") || strings.Count(r.stdout, "\n") != 1 || r.stderr != "" {
			t.Errorf("kefu %s printed\n%s", arg, r)
		}
		if first == "" {
			first = r.stdout
		} else if r.stdout != first {
			t.Errorf("kefu version printed %q, kefu --version %q", r.stdout, first)
		}
	}
	wantExit(t, kefuCmd(t, noEnv, "help"), 0, "kefu version")
}

func TestVersionLine(t *testing.T) {
	t.Parallel()
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "kefu", Version: "v0.3.1"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.modified", Value: "true"},
			{Key: "vcs.time", Value: "2026-05-01T09:00:00Z"},
			{Key: "vcs.revision", Value: "7a3689f0123456789abcdef0123456789abcdef0"},
		}}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"stamped", stamped, true,
			"kefu v0.3.1 (revision 7a3689f0123456789abcdef0123456789abcdef0, committed 2026-05-01T09:00:00Z, with uncommitted changes) go1.26.8"},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "kefu", Version: "(devel)"}}, true,
			"kefu devel go1.26.8"},
		{"clean tree", &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}}, true,
			"kefu v1.0.0 (revision abc)"},
		{"no build info", nil, false, "kefu devel"},
	} {
		if got := versionLine(tc.bi, tc.ok); got != tc.want {
			t.Errorf("%s: versionLine = %q, want %q", tc.name, got, tc.want)
		}
	}
}
