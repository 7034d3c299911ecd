package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu"
	"kefu/store/sqlstore"
)

// Test values. The keys are real EncodingAESKeys whose 43rd character carries
// non-zero unused bits, as WeChat generates them.
const (
	testAppID  = "wxba5fad812f8e6fb9"
	testOrigID = "gh_97417a04a28d"
	testSecret = "0123456789abcdef0123456789abcdef"
	testToken  = "TokenForPushes2026"
	testKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	testPrev   = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
)

// result is what one in-process run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%sstderr:\n%s", r.code, r.stdout, r.stderr)
}

// noEnv is a getenv that finds nothing, so a developer's KEFU_* variables cannot
// leak into a test.
func noEnv(string) string { return "" }

// kefuCmd runs the command in-process with the given environment.
func kefuCmd(t *testing.T, getenv func(string) string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, getenv, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// kefuDB runs the command against the database at db.
func kefuDB(t *testing.T, db string, args ...string) result {
	t.Helper()
	return kefuCmd(t, noEnv, append(args, "--db", db)...)
}

func newDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "kefu.db")
}

func wantExit(t *testing.T, r result, code int, mentions ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\n%s", r.code, code, r)
	}
	for _, m := range mentions {
		if !strings.Contains(r.stdout+r.stderr, m) {
			t.Errorf("output does not mention %q\n%s", m, r)
		}
	}
}

// addArgs are the flags of a complete secure JSON app.
func addArgs() []string {
	return []string{"app", "add", "--appid", testAppID, "--original-id", testOrigID, "--secret", testSecret,
		"--token", testToken, "--aes-key", testKey, "--prev-aes-key", testPrev, "--mode", "secure", "--format", "json"}
}

// addApp adds the test app to db or fails the test.
func addApp(t *testing.T, db string, extra ...string) {
	t.Helper()
	wantExit(t, kefuDB(t, db, append(addArgs(), extra...)...), 0)
}

// storedApp reads an app straight from the database.
func storedApp(t *testing.T, db, appID string) (*kefu.App, error) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer s.Close()
	return s.App(ctx, appID)
}

func TestAppAddAndList(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	r := kefuDB(t, db, addArgs()...)
	wantExit(t, r, 0, "added "+testAppID, "secure", "json", "/wx/"+testAppID)
	for _, secret := range []string{testSecret, testToken, testKey, testPrev} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("app add printed the secret %q\n%s", secret, r)
		}
	}

	r = kefuDB(t, db, "app", "list")
	wantExit(t, r, 0, "APPID", testAppID, testOrigID, "secure", "json",
		kefu.Mask(testToken), kefu.Mask(testKey), kefu.Mask(testPrev), kefu.Mask(testSecret))
	for _, secret := range []string{testSecret, testToken, testKey, testPrev} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("app list shows the secret %q unmasked\n%s", secret, r)
		}
		// Nor any long piece of it: a listing must not let one rebuild a secret.
		for i := 0; i+5 <= len(secret); i++ {
			if strings.Contains(r.stdout, secret[i:i+5]) {
				t.Errorf("app list shows %q, a piece of a secret\n%s", secret[i:i+5], r)
				break
			}
		}
	}
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 2 {
		t.Errorf("app list printed %d lines, want a header and one app\n%s", len(lines), r)
	}

	a, err := storedApp(t, db, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	want := kefu.App{AppID: testAppID, OriginalID: testOrigID, Secret: testSecret, Token: testToken,
		AESKey: testKey, PrevAESKey: testPrev, Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	a.CreatedAt, a.UpdatedAt = want.CreatedAt, want.UpdatedAt
	if *a != want {
		t.Errorf("stored app = %+v, want %+v", *a, want)
	}
}

func TestAppAddDefaults(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	wantExit(t, kefuDB(t, db, "app", "add", "--appid", "wx1234", "--token", "tok"), 0, "plain", "xml")
	a, err := storedApp(t, db, "wx1234")
	if err != nil {
		t.Fatal(err)
	}
	if a.Mode != kefu.ModePlain || a.Format != kefu.FormatXML || a.AESKey != "" {
		t.Errorf("defaults: %+v, want plain xml without a key", a)
	}
}

func TestAppListEmpty(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", testAppID), 0)
	r := kefuDB(t, db, "app", "list")
	wantExit(t, r, 0, "APPID")
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 1 {
		t.Errorf("empty list printed %d lines\n%s", len(lines), r)
	}
}

func TestAppListSorted(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	for _, id := range []string{"wxc", "wxa", "wxb"} {
		wantExit(t, kefuDB(t, db, "app", "add", "--appid", id, "--token", "tok"), 0)
	}
	r := kefuDB(t, db, "app", "list")
	wantExit(t, r, 0)
	a, b, c := strings.Index(r.stdout, "wxa "), strings.Index(r.stdout, "wxb "), strings.Index(r.stdout, "wxc ")
	if a < 0 || !(a < b && b < c) {
		t.Errorf("apps not listed by appid\n%s", r)
	}
}

func TestAppAddTwice(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	r := kefuDB(t, db, append(addArgs(), "--mode", "compat")...)
	wantExit(t, r, 1, "already exists", testAppID)
	if a, err := storedApp(t, db, testAppID); err != nil || a.Mode != kefu.ModeSecure {
		t.Errorf("the second add changed the app: %+v, %v", a, err)
	}
}

func TestAppAddRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string // replacing or adding to addArgs
		mentions []string
	}{
		{"42-char key", []string{"--aes-key", testKey[:42]}, []string{"aes key", "43"}},
		{"44-char key", []string{"--aes-key", testKey + "A"}, []string{"aes key", "43"}},
		{"key with a bad character", []string{"--aes-key", testKey[:42] + "!"}, []string{"aes key"}},
		{"42-char previous key", []string{"--prev-aes-key", testPrev[:42]}, []string{"previous aes key"}},
		{"unknown mode", []string{"--mode", "paranoid"}, []string{"mode", "paranoid", "plain, compat or secure"}},
		{"empty mode", []string{"--mode", ""}, []string{"mode", "plain, compat or secure"}},
		{"unknown format", []string{"--format", "yaml"}, []string{"format", "yaml", "xml or json"}},
		{"unknown format, valid mode", []string{"--format", "yaml", "--mode", "plain"}, []string{"format", "yaml"}},
		{"unknown format and mode", []string{"--format", "yaml", "--mode", "paranoid"}, []string{"format", "yaml"}},
		{"secure without a key", []string{"--aes-key", ""}, []string{"needs an aes key"}},
		{"no token", []string{"--token", ""}, []string{"token is required"}},
		{"token with inner space", []string{"--token", "two words"}, []string{"white space"}},
		{"bad appid", []string{"--appid", "app1"}, []string{"appid", "app1"}},
		{"empty appid", []string{"--appid", ""}, []string{"appid"}},
		{"bad original id", []string{"--original-id", "97417a04a28d"}, []string{"original id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			r := kefuDB(t, db, append(addArgs(), tc.args...)...)
			wantExit(t, r, 1, tc.mentions...)
			if !strings.HasPrefix(r.stderr, "kefu app: ") {
				t.Errorf("stderr %q, want a kefu app: prefix", r.stderr)
			}
			for _, secret := range []string{testSecret, testToken, testKey[:42], testPrev[:42]} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("error output reveals %q\n%s", secret, r)
				}
			}
			list := kefuDB(t, db, "app", "list")
			if strings.Contains(list.stdout, "wx") {
				t.Errorf("a rejected app was stored\n%s", list)
			}
		})
	}
}

func TestAppAddBadFlags(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	wantExit(t, kefuDB(t, db, "app", "add", "--no-such-flag", "x"), 2, "no-such-flag")
	wantExit(t, kefuCmd(t, noEnv, "app", "add", "--db", db, "--appid"), 2, "flag needs an argument")
	wantExit(t, kefuDB(t, db, "app", "add", "-h"), 0, "-aes-key", "-prev-aes-key", "KEFU_<NAME>")
}

// TestAppAddTrimsPastedSpace checks that values pasted with a trailing newline or a
// leading blank are stored without them.
func TestAppAddTrimsPastedSpace(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	r := kefuDB(t, db, "app", "add", "--appid", " "+testAppID+"\n", "--original-id", testOrigID+" ",
		"--secret", "\t"+testSecret+"\r\n", "--token", testToken+"\n", "--aes-key", " "+testKey+"\n",
		"--prev-aes-key", testPrev+"  ", "--mode", " compat ", "--format", "JSON\n")
	wantExit(t, r, 0)
	a, err := storedApp(t, db, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	want := kefu.App{AppID: testAppID, OriginalID: testOrigID, Secret: testSecret, Token: testToken,
		AESKey: testKey, PrevAESKey: testPrev, Mode: kefu.ModeCompat, Format: kefu.FormatJSON}
	a.CreatedAt, a.UpdatedAt = want.CreatedAt, want.UpdatedAt
	if *a != want {
		t.Errorf("stored app = %+v, want %+v", *a, want)
	}

	// update and remove find the app by a padded appid too, and trim what they set.
	wantExit(t, kefuDB(t, db, "app", "update", "--appid", testAppID+"\n", "--token", " NewToken\n"), 0)
	if a, err := storedApp(t, db, testAppID); err != nil || a.Token != "NewToken" {
		t.Errorf("after update: %+v, %v; want token NewToken", a, err)
	}
	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", " "+testAppID), 0)
}

func TestAppUpdateMode(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db, "--mode", "compat", "--format", "xml")
	before, err := storedApp(t, db, testAppID)
	if err != nil {
		t.Fatal(err)
	}

	r := kefuDB(t, db, "app", "update", "--appid", testAppID, "--mode", "secure")
	wantExit(t, r, 0, "updated "+testAppID, "secure", "xml")

	list := kefuDB(t, db, "app", "list")
	wantExit(t, list, 0)
	if !strings.Contains(list.stdout, "secure") || strings.Contains(list.stdout, "compat") {
		t.Errorf("list after update does not show secure\n%s", list)
	}
	after, err := storedApp(t, db, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Mode != kefu.ModeSecure {
		t.Errorf("mode = %q, want secure", after.Mode)
	}
	// Everything else is as it was.
	want := *before
	want.Mode, want.UpdatedAt = kefu.ModeSecure, after.UpdatedAt
	if *after != want {
		t.Errorf("update changed more than the mode:\n got %+v\nwant %+v", *after, want)
	}
}

func TestAppUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		code     int
		mentions []string
		check    func(*kefu.App) bool // on the stored app afterwards
	}{
		{"token", []string{"--token", "Rotated"}, 0, nil,
			func(a *kefu.App) bool { return a.Token == "Rotated" && a.AESKey == testKey }},
		{"key rotation", []string{"--aes-key", testPrev, "--prev-aes-key", testKey}, 0, nil,
			func(a *kefu.App) bool { return a.AESKey == testPrev && a.PrevAESKey == testKey }},
		{"clear previous key", []string{"--prev-aes-key", ""}, 0, nil,
			func(a *kefu.App) bool { return a.PrevAESKey == "" && a.AESKey == testKey }},
		{"format", []string{"--format", "xml"}, 0, []string{"xml"},
			func(a *kefu.App) bool { return a.Format == kefu.FormatXML && a.Mode == kefu.ModeSecure }},
		{"nothing", nil, 0, []string{"updated"},
			func(a *kefu.App) bool { return a.Mode == kefu.ModeSecure && a.Token == testToken }},
		{"unknown mode", []string{"--mode", "paranoid"}, 1, []string{"paranoid"},
			func(a *kefu.App) bool { return a.Mode == kefu.ModeSecure }},
		{"unknown format, valid mode", []string{"--format", "yaml", "--mode", "compat"}, 1, []string{"yaml"},
			func(a *kefu.App) bool { return a.Mode == kefu.ModeSecure && a.Format == kefu.FormatJSON }},
		{"short key", []string{"--aes-key", testKey[:42]}, 1, []string{"aes key"},
			func(a *kefu.App) bool { return a.AESKey == testKey }},
		{"drop the key in secure mode", []string{"--aes-key", ""}, 1, []string{"needs an aes key"},
			func(a *kefu.App) bool { return a.AESKey == testKey }},
		{"empty token", []string{"--token", ""}, 1, []string{"token is required"},
			func(a *kefu.App) bool { return a.Token == testToken }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			addApp(t, db)
			r := kefuDB(t, db, append([]string{"app", "update", "--appid", testAppID}, tc.args...)...)
			wantExit(t, r, tc.code, tc.mentions...)
			a, err := storedApp(t, db, testAppID)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(a) {
				t.Errorf("stored app after update: %+v", a)
			}
		})
	}
}

func TestAppUpdateUnknownApp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	wantExit(t, kefuDB(t, db, "app", "update", "--appid", "wx999", "--mode", "plain"), 1, "no app wx999")
	wantExit(t, kefuDB(t, db, "app", "update", "--mode", "plain"), 1, "no app")
}

func TestAppRemove(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	wantExit(t, kefuDB(t, db, "app", "add", "--appid", "wxother", "--token", "tok"), 0)

	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", testAppID), 0, "removed "+testAppID)
	list := kefuDB(t, db, "app", "list")
	if strings.Contains(list.stdout, testAppID) || !strings.Contains(list.stdout, "wxother") {
		t.Errorf("list after remove\n%s", list)
	}
	if _, err := storedApp(t, db, testAppID); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Errorf("removed app still readable: %v", err)
	}
	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", testAppID), 1, "no app "+testAppID)
	wantExit(t, kefuDB(t, db, "app", "remove"), 1, "no app")
}

// TestAppKEFUDB checks that KEFU_DB stands in for --db, and that --db wins when both
// are given. The test runs in an empty working directory so that a command that
// ignored both would create kefu.db there, where the test sees it.
func TestAppKEFUDB(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	envDB := filepath.Join(t.TempDir(), "from-env.db")
	flagDB := filepath.Join(t.TempDir(), "from-flag.db")
	getenv := func(k string) string {
		if k == "KEFU_DB" {
			return envDB
		}
		return ""
	}

	wantExit(t, kefuCmd(t, getenv, addArgs()...), 0)
	if _, err := os.Stat(envDB); err != nil {
		t.Fatalf("KEFU_DB was not used: %v", err)
	}
	wantExit(t, kefuCmd(t, getenv, "app", "list"), 0, testAppID)
	if a, err := storedApp(t, envDB, testAppID); err != nil || a.Mode != kefu.ModeSecure {
		t.Errorf("app in KEFU_DB: %+v, %v", a, err)
	}

	// --db beats KEFU_DB: list looks for the database it names, which does not exist.
	r := kefuCmd(t, getenv, "app", "list", "--db", flagDB)
	wantExit(t, r, 1, "no kefu database at "+flagDB)
	if strings.Contains(r.stdout, testAppID) {
		t.Errorf("--db %s listed the app in KEFU_DB\n%s", flagDB, r)
	}
	if _, err := os.Stat(filepath.Join(dir, "kefu.db")); err == nil {
		t.Errorf("a command ignored KEFU_DB and --db and wrote ./kefu.db")
	}
}

// TestAppFlagsFromEnv checks the KEFU_<FLAG> twins of the add flags.
func TestAppFlagsFromEnv(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	env := map[string]string{
		"KEFU_DB": db, "KEFU_APPID": testAppID, "KEFU_TOKEN": testToken + "\n",
		"KEFU_AES_KEY": testKey, "KEFU_MODE": "compat", "KEFU_FORMAT": "json",
	}
	getenv := func(k string) string { return env[k] }
	wantExit(t, kefuCmd(t, getenv, "app", "add", "--mode", "secure"), 0, "secure", "json")
	a, err := storedApp(t, db, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Token != testToken || a.AESKey != testKey || a.Mode != kefu.ModeSecure || a.Format != kefu.FormatJSON {
		t.Errorf("stored app %+v: want the env's token, key and format and the flag's mode", a)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		mentions []string
	}{
		{"no command", nil, 2, []string{"Usage"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
		{"app without subcommand", []string{"app"}, 2, []string{"add", "list", "update", "remove"}},
		{"unknown app subcommand", []string{"app", "frobnicate", "--db", db}, 2, []string{`unknown command "frobnicate"`, "Usage: kefu app"}},
		{"app help", []string{"app", "help"}, 0, []string{"Usage: kefu app"}},
		{"help", []string{"help"}, 0, []string{"kefu app", "kefu messages"}},
		{"app list bad flag", []string{"app", "list", "--bogus"}, 2, []string{"bogus"}},
		{"app remove bad flag", []string{"app", "remove", "--appid"}, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantExit(t, kefuCmd(t, noEnv, tc.args...), tc.code, tc.mentions...)
		})
	}
}
