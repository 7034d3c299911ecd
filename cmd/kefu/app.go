package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"kefu"
	"kefu/store/sqlstore"
)

const appUsage = `Usage: kefu app COMMAND [flags]

  add      add a mini program:  --appid wx… --original-id gh_… --secret … --token …
           --aes-key … [--prev-aes-key …] --mode plain|compat|secure --format xml|json
  list     list mini programs (secrets masked)
  update   change a mini program: --appid wx… and any flag of add
  remove   remove a mini program: --appid wx… [--purge to also delete its messages]
`

func runApp(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, appUsage)
		return errUsage
	}
	switch args[0] {
	case "add":
		return appAdd(ctx, env, args[1:])
	case "list":
		return appList(ctx, env, args[1:])
	case "update":
		return appUpdate(ctx, env, args[1:])
	case "remove":
		return appRemove(ctx, env, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(env.stdout, appUsage)
		return nil
	}
	fmt.Fprintf(env.stderr, "kefu app: unknown command %q\n\n%s", args[0], appUsage)
	return errUsage
}

// appFlags are the settings add and update share.
type appFlags struct {
	db, appID, originalID, secret, token, aesKey, prevAESKey, mode, format string
}

func (f *appFlags) register(fs *flag.FlagSet) {
	dbFlagVar(fs, &f.db)
	fs.StringVar(&f.appID, "appid", "", "the mini program's AppID (wx…)")
	fs.StringVar(&f.originalID, "original-id", "", "its original ID (gh_…)")
	fs.StringVar(&f.secret, "secret", "", "its AppSecret, for access tokens")
	fs.StringVar(&f.token, "token", "", "the Token of 消息推送配置")
	fs.StringVar(&f.aesKey, "aes-key", "", "the EncodingAESKey (43 characters)")
	fs.StringVar(&f.prevAESKey, "prev-aes-key", "", "the EncodingAESKey before the last change, still accepted")
	fs.StringVar(&f.mode, "mode", "", "plain, compat or secure")
	fs.StringVar(&f.format, "format", "", "xml or json")
}

// trimSpace drops the white space a paste from the mini program console tends to
// bring along (a trailing newline, a leading blank). None of these values may contain
// white space, so trimming cannot change one that would otherwise be accepted.
func (f *appFlags) trimSpace() {
	for _, p := range []*string{&f.appID, &f.originalID, &f.secret, &f.token, &f.aesKey, &f.prevAESKey} {
		*p = strings.TrimSpace(*p)
	}
}

// apply copies the flags that were given onto a. The first bad value stops it, so
// its error is the one reported.
func (f *appFlags) apply(fs *flag.FlagSet, a *kefu.App) error {
	var err error
	fs.Visit(func(fl *flag.Flag) {
		if err != nil {
			return
		}
		switch fl.Name {
		case "original-id":
			a.OriginalID = f.originalID
		case "secret":
			a.Secret = f.secret
		case "token":
			a.Token = f.token
		case "aes-key":
			a.AESKey = f.aesKey
		case "prev-aes-key":
			a.PrevAESKey = f.prevAESKey
		case "mode":
			if a.Mode, err = kefu.ParseMode(f.mode); err != nil {
				return
			}
		case "format":
			if a.Format, err = kefu.ParseFormat(f.format); err != nil {
				return
			}
		}
	})
	return err
}

// openStore opens the database for a command that reads or manages rows but never
// ingests pushes. The database must exist: only serve, demo, app add and agent add
// create one (createStore), so that a mistyped --db is an error instead of a new
// empty database.
func openStore(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return sqlstore.Open(ctx, dsn, sqlstore.Options{NoIngest: true, MustExist: true})
}

// createStore opens the database for a command that may be how it comes to be:
// the first app, the first admin, the demo. It never ingests pushes either.
func createStore(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return sqlstore.Open(ctx, dsn, sqlstore.Options{NoIngest: true})
}

// openAppStore is openStore for a command about one app: it fails, with the store
// closed, when the app does not exist.
func openAppStore(ctx context.Context, dsn, appID string) (*sqlstore.Store, *kefu.App, error) {
	s, err := openStore(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	app, err := s.App(ctx, appID)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, app, nil
}

func appAdd(ctx context.Context, env *cmdEnv, args []string) error {
	var f appFlags
	fs := newFlags(env, "app add", "app add --appid wx… --token … [flags]")
	f.register(fs)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	f.trimSpace()
	a := &kefu.App{AppID: f.appID, Mode: kefu.ModePlain, Format: kefu.FormatXML}
	if err := f.apply(fs, a); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	s, err := createStore(ctx, f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.CreateApp(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "added %s (%s, %s); point WeChat's 消息推送 URL at https://YOUR-HOST/wx/%s\n",
		a.AppID, a.Mode, a.Format, a.AppID)
	return nil
}

func appUpdate(ctx context.Context, env *cmdEnv, args []string) error {
	var f appFlags
	fs := newFlags(env, "app update", "app update --appid wx… [flags to change]")
	f.register(fs)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	f.trimSpace()
	s, err := openStore(ctx, f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.App(ctx, f.appID)
	if err != nil {
		return err
	}
	if err := f.apply(fs, a); err != nil {
		return err
	}
	if err := s.UpdateApp(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "updated %s (%s, %s)\n", a.AppID, a.Mode, a.Format)
	return nil
}

func appList(ctx context.Context, env *cmdEnv, args []string) error {
	var db string
	fs := newFlags(env, "app list", "app list")
	dbFlagVar(fs, &db)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	s, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	apps, err := s.Apps(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APPID\tORIGINAL ID\tMODE\tFORMAT\tTOKEN\tAES KEY\tPREVIOUS KEY\tSECRET")
	for _, a := range apps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.AppID, a.OriginalID, a.Mode, a.Format,
			kefu.Mask(a.Token), kefu.Mask(a.AESKey), kefu.Mask(a.PrevAESKey), kefu.Mask(a.Secret))
	}
	return tw.Flush()
}

func appRemove(ctx context.Context, env *cmdEnv, args []string) error {
	var db, appID string
	var purge bool
	fs := newFlags(env, "app remove", "app remove --appid wx… [--purge]")
	dbFlagVar(fs, &db)
	fs.StringVar(&appID, "appid", "", "the mini program to remove")
	fs.BoolVar(&purge, "purge", false, "also delete its customers, conversations and messages")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	appID = strings.TrimSpace(appID)
	s, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.App(ctx, appID); err != nil {
		return err
	}
	if !purge {
		ms, err := s.Messages(ctx, kefu.MessageFilter{AppID: appID, Limit: 1})
		if err != nil {
			return err
		}
		if len(ms) > 0 {
			return fmt.Errorf("%s has stored messages; add --purge to delete them with it", appID)
		}
	}
	if err := s.DeleteApp(ctx, appID); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "removed %s\n", appID)
	return nil
}
