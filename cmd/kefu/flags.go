package main

import (
	"flag"
	"fmt"
	"strings"
)

// newFlags returns a flag set whose errors and help go to env.stderr.
func newFlags(env *cmdEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: kefu %s\n\nFlags (each also read from KEFU_<NAME> when not given):\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, then fills every flag not given on the command line from
// its environment twin: --ts-window from KEFU_TS_WINDOW, and so on.
func parseFlags(env *cmdEnv, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var bad error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || bad != nil || noEnvTwin[f.Name] {
			return
		}
		key := "KEFU_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := env.getenv(key); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				bad = fmt.Errorf("%s=%q: %v", key, v, err)
			}
		}
	})
	return bad
}

// noEnvTwin lists flags that must be typed each time: a variable left in the
// environment must never delete data.
var noEnvTwin = map[string]bool{"purge": true}

// dbFlagVar adds the --db flag every command shares.
func dbFlagVar(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "db", "kefu.db", "database: a SQLite file path or a postgres:// URL")
}
