package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"kefu"
)

// runSend queues one message for a customer. It only writes the outbox; a running
// `kefu serve` on the same database delivers it (within its poll interval) and
// `kefu messages` shows how it ended.
func runSend(ctx context.Context, env *cmdEnv, args []string) error {
	var db, appID, openID, key, image string
	var c kefu.Content
	fs := newFlags(env, "send", "send --app wx… --to OPENID (--text … | --image FILE | --link-url … | --card-path …) [flags]")
	dbFlagVar(fs, &db)
	fs.StringVar(&appID, "app", "", "the mini program's AppID")
	fs.StringVar(&openID, "to", "", "the user's openid")
	fs.StringVar(&c.Text, "text", "", "send this text")
	fs.StringVar(&image, "image", "", "send this JPEG or PNG file (with --card-path: the card's thumbnail)")
	fs.StringVar(&c.Title, "title", "", "the link's or card's title")
	fs.StringVar(&c.Description, "description", "", "the link's description")
	fs.StringVar(&c.URL, "link-url", "", "send a link to this http(s) URL")
	fs.StringVar(&c.ThumbURL, "thumb-url", "", "the link's thumbnail URL")
	fs.StringVar(&c.PagePath, "card-path", "", "send a mini program card opening this page (needs --title and --image)")
	fs.StringVar(&key, "key", "", "idempotency key: sending again with the same key queues nothing new")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if appID == "" || openID == "" {
		fmt.Fprintln(env.stderr, "kefu send: --app and --to are required")
		return errUsage
	}
	// One message per command: given two contents, sending one would silently drop
	// the other. With --card-path, --image is the card's thumbnail.
	var given []string
	for _, g := range []struct {
		flag string
		set  bool
	}{
		{"--text", c.Text != ""}, {"--image", image != "" && c.PagePath == ""},
		{"--link-url", c.URL != ""}, {"--card-path", c.PagePath != ""},
	} {
		if g.set {
			given = append(given, g.flag)
		}
	}
	if len(given) > 1 {
		fmt.Fprintf(env.stderr, "kefu send: one message at a time: give only one of --text, --image, --link-url and --card-path (got %s)\n",
			strings.Join(given, " and "))
		return errUsage
	}
	switch {
	case c.PagePath != "":
		c.Kind = kefu.KindCard
	case c.URL != "":
		c.Kind = kefu.KindLink
	case image != "":
		c.Kind = kefu.KindImage
	case c.Text != "":
		c.Kind = kefu.KindText
	default:
		fmt.Fprintln(env.stderr, "kefu send: say what to send: --text, --image, --link-url or --card-path")
		return errUsage
	}
	s, _, err := openAppStore(ctx, db, appID)
	if err != nil {
		return err
	}
	defer s.Close()
	// Queueing calls no WeChat API: the serving process's sender delivers, finding
	// the message at its next look at the outbox (within a second).
	sender := &kefu.Outbound{Store: s}
	if image != "" {
		data, err := os.ReadFile(image)
		if err != nil {
			return err
		}
		if c.Media, err = sender.StoreImage(ctx, appID, data); err != nil {
			return err
		}
	}
	m, err := sender.Enqueue(ctx, &kefu.OutboundRequest{AppID: appID, OpenID: openID, Content: c, Key: key})
	if err != nil {
		return err
	}
	st, err := sender.Quota(ctx, appID, openID)
	if err != nil {
		return err
	}
	// Nothing here sends: say so, since no server may be running.
	fmt.Fprintf(env.stdout, "queued message %d: it waits for a running `kefu serve` on this database, which delivers it; "+
		"`kefu messages --app %s --openid %s` shows whether it was sent\nthe reply window: %s\n", m.ID, appID, openID, st.Explain())
	return nil
}
