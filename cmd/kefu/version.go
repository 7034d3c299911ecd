package main

import (
	"runtime/debug"
	"strings"
)

// versionLine says which kefu this is, from what the go command stamped into the
// binary: the module version (a tag or pseudo-version when built from a module or a
// checkout with its history) and the VCS revision and commit time, so that a bug
// report names the code. What is unknown reads "devel" or is left out.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	version := "devel"
	if ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	line := "kefu " + version
	if !ok {
		return line
	}
	var vcs []string
	for _, key := range []string{"vcs.revision", "vcs.time", "vcs.modified"} {
		for _, s := range bi.Settings {
			switch {
			case s.Key != key || s.Value == "":
			case key == "vcs.revision":
				vcs = append(vcs, "revision "+s.Value)
			case key == "vcs.time":
				vcs = append(vcs, "committed "+s.Value)
			case s.Value == "true":
				vcs = append(vcs, "with uncommitted changes")
			}
		}
	}
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	if bi.GoVersion != "" {
		line += " " + bi.GoVersion
	}
	return line
}
