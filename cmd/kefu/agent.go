package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"kefu"
	"kefu/auth"
	"kefu/store/sqlstore"
)

const agentUsage = `Usage: kefu agent COMMAND [flags]

  add      add an agent: --login … --name … [--admin] [--apps wx…,wx…]
           [--capacity N] [--auto-accept]; the password from a prompt or
           --password-file (- for standard input). The first admin is made here.
  list     list agents, their role, status and mini programs
  update   change an agent: --login … and any of --name, --admin=true|false,
           --apps, --capacity, --auto-accept=true|false
  disable  sign an agent out everywhere and refuse their sign-in: --login …
  enable   let a disabled agent sign in again: --login …
  passwd   set an agent's password (signs them out everywhere): --login …
           [--password-file F]
`

func runAgent(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, agentUsage)
		return errUsage
	}
	switch args[0] {
	case "add":
		return agentAdd(ctx, env, args[1:])
	case "list":
		return agentList(ctx, env, args[1:])
	case "update":
		return agentUpdate(ctx, env, args[1:])
	case "disable", "enable":
		return agentEnable(ctx, env, args[1:], args[0] == "enable")
	case "passwd":
		return agentPasswd(ctx, env, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(env.stdout, agentUsage)
		return nil
	}
	fmt.Fprintf(env.stderr, "kefu agent: unknown command %q\n\n%s", args[0], agentUsage)
	return errUsage
}

// agentFlags are the settings add and update share.
type agentFlags struct {
	db, login, name, apps, passwordFile string
	admin, autoAccept                   bool
	capacity                            int
}

func (f *agentFlags) register(fs *flag.FlagSet, withSettings bool) {
	dbFlagVar(fs, &f.db)
	fs.StringVar(&f.login, "login", "", "what the agent signs in with")
	if !withSettings {
		return
	}
	fs.StringVar(&f.name, "name", "", "the name colleagues see")
	fs.BoolVar(&f.admin, "admin", false, "an admin: manages agents and mini programs, sees every mini program")
	fs.StringVar(&f.apps, "apps", "", "the mini programs the agent serves, appids separated by commas")
	fs.IntVar(&f.capacity, "capacity", kefu.DefaultCapacity, "the most conversations the agent takes at once")
	fs.BoolVar(&f.autoAccept, "auto-accept", false, "give the agent waiting conversations as they come, while online")
}

// apply copies the settings that were given onto a.
func (f *agentFlags) apply(fs *flag.FlagSet, a *kefu.Agent) {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "name":
			a.Name = strings.TrimSpace(f.name)
		case "admin":
			a.Role = kefu.RoleAgent
			if f.admin {
				a.Role = kefu.RoleAdmin
			}
		case "apps":
			a.Apps = splitList(f.apps)
		case "capacity":
			a.Capacity = f.capacity
		case "auto-accept":
			a.AutoAccept = f.autoAccept
		}
	})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func agentAdd(ctx context.Context, env *cmdEnv, args []string) error {
	var f agentFlags
	fs := newFlags(env, "agent add", "agent add --login … --name … [flags]")
	f.register(fs, true)
	fs.StringVar(&f.passwordFile, "password-file", "", "read the password from this file (- for standard input) instead of a prompt")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if f.login == "" || f.name == "" {
		fmt.Fprintln(env.stderr, "kefu agent add: --login and --name are required")
		return errUsage
	}
	a := &kefu.Agent{Login: strings.TrimSpace(f.login), Role: kefu.RoleAgent, Capacity: kefu.DefaultCapacity}
	f.apply(fs, a)
	if err := a.Validate(); err != nil {
		return err
	}
	pw, err := readNewPassword(env, f.passwordFile)
	if err != nil {
		return err
	}
	if a.PasswordHash, err = auth.HashPassword(pw); err != nil {
		return err
	}
	s, err := createStore(ctx, f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.CreateAgent(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "added %s %q (%s)%s\n", a.Role, a.Login, a.Name, appsText(a))
	return nil
}

func appsText(a *kefu.Agent) string {
	switch {
	case a.Role == kefu.RoleAdmin:
		return ", every mini program"
	case len(a.Apps) == 0:
		return ", no mini program yet (give --apps)"
	}
	return ", serving " + strings.Join(a.Apps, ", ")
}

func agentList(ctx context.Context, env *cmdEnv, args []string) error {
	var db string
	fs := newFlags(env, "agent list", "agent list [--db …]")
	dbFlagVar(fs, &db)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	s, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	agents, err := s.Agents(ctx)
	if err != nil {
		return err
	}
	if len(agents) == 0 {
		fmt.Fprintln(env.stdout, "no agents yet: kefu agent add --login … --name … --admin makes the first admin")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tNAME\tROLE\tSTATUS\tCAPACITY\tAUTO-ACCEPT\tMINI PROGRAMS")
	for _, a := range agents {
		status := string(a.Status)
		if a.Disabled {
			status = "disabled"
		}
		apps := strings.Join(a.Apps, ",")
		if a.Role == kefu.RoleAdmin {
			apps = "(all)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%v\t%s\n", a.Login, a.Name, a.Role, status, a.Capacity, a.AutoAccept, apps)
	}
	return tw.Flush()
}

func agentUpdate(ctx context.Context, env *cmdEnv, args []string) error {
	var f agentFlags
	fs := newFlags(env, "agent update", "agent update --login … [flags]")
	f.register(fs, true)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	return withAgent(ctx, f.db, f.login, env, func(s *sqlstore.Store, a *kefu.Agent) error {
		f.apply(fs, a)
		if err := s.UpdateAgent(ctx, a); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "updated %s %q (%s), capacity %d%s\n", a.Role, a.Login, a.Name, a.Capacity, appsText(a))
		return nil
	})
}

func agentEnable(ctx context.Context, env *cmdEnv, args []string, enable bool) error {
	var f agentFlags
	verb := map[bool]string{true: "enable", false: "disable"}[enable]
	fs := newFlags(env, "agent "+verb, "agent "+verb+" --login …")
	f.register(fs, false)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	return withAgent(ctx, f.db, f.login, env, func(s *sqlstore.Store, a *kefu.Agent) error {
		a.Disabled = !enable
		if err := s.UpdateAgent(ctx, a); err != nil {
			return err
		}
		if !enable {
			if err := s.DeleteSessions(ctx, a.ID); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "disabled %q and signed them out everywhere\n", a.Login)
			return nil
		}
		fmt.Fprintf(env.stdout, "enabled %q\n", a.Login)
		return nil
	})
}

func agentPasswd(ctx context.Context, env *cmdEnv, args []string) error {
	var f agentFlags
	fs := newFlags(env, "agent passwd", "agent passwd --login … [--password-file F]")
	f.register(fs, false)
	fs.StringVar(&f.passwordFile, "password-file", "", "read the password from this file (- for standard input) instead of a prompt")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	return withAgent(ctx, f.db, f.login, env, func(s *sqlstore.Store, a *kefu.Agent) error {
		pw, err := readNewPassword(env, f.passwordFile)
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := s.SetPassword(ctx, a.ID, hash); err != nil {
			return err
		}
		if err := s.DeleteSessions(ctx, a.ID); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "set the password of %q and signed them out everywhere\n", a.Login)
		return nil
	})
}

// withAgent opens the database and runs fn with the agent of login.
func withAgent(ctx context.Context, db, login string, env *cmdEnv, fn func(*sqlstore.Store, *kefu.Agent) error) error {
	if login == "" {
		fmt.Fprintln(env.stderr, "kefu agent: --login is required")
		return errUsage
	}
	s, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.AgentByLogin(ctx, login)
	if kefu.ErrorCodeOf(err) == kefu.ENotFound {
		return kefu.Errorf(kefu.ENotFound, "no agent %q (kefu agent list shows them)", login)
	}
	if err != nil {
		return err
	}
	return fn(s, a)
}

// readNewPassword reads a password from file ("-": standard input), or asks for
// it twice on the terminal without echo. It never comes from a flag: flags show in
// the process list.
func readNewPassword(env *cmdEnv, file string) (string, error) {
	var pw string
	switch {
	case file == "-":
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw = strings.TrimRight(line, "\r\n")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		pw = strings.TrimRight(string(b), "\r\n")
	default:
		f, ok := env.stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return "", fmt.Errorf("no terminal to ask for the password: give --password-file FILE (or - to read it from standard input)")
		}
		fmt.Fprint(env.stderr, "password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.stderr, "again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", fmt.Errorf("the two passwords differ")
		}
		pw = string(first)
	}
	if err := auth.CheckNewPassword(pw); err != nil {
		return "", kefu.Errorf(kefu.EInvalid, "%s", err.Error())
	}
	return pw, nil
}
