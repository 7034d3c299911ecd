package kefu

import (
	"strings"
	"testing"
)

// Real EncodingAESKeys whose 43rd character carries non-zero unused bits, which a
// strict base64 decoder rejects and WeChat accepts.
const (
	realKey1 = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	realKey2 = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
	zeroKey  = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

func validApp() App {
	return App{
		AppID: "wxba5fad812f8e6fb9", OriginalID: "gh_97417a04a28d", Secret: "s3cret-value",
		Token: "AAAAA", AESKey: realKey1, Mode: ModeSecure, Format: FormatJSON,
	}
}

func TestAppValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*App)
		want   string // a substring of the error; "" means valid
	}{
		{"valid secure json", func(*App) {}, ""},
		{"valid compat xml", func(a *App) { a.Mode, a.Format = ModeCompat, FormatXML }, ""},
		{"plain without key", func(a *App) { a.Mode, a.AESKey = ModePlain, "" }, ""},
		{"plain with key", func(a *App) { a.Mode = ModePlain }, ""},
		{"no original id", func(a *App) { a.OriginalID = "" }, ""},
		{"no secret", func(a *App) { a.Secret = "" }, ""},
		{"real key 2", func(a *App) { a.AESKey = realKey2 }, ""},
		{"zero key", func(a *App) { a.AESKey = zeroKey }, ""},
		{"previous key", func(a *App) { a.PrevAESKey = realKey2 }, ""},
		{"appid 3 chars", func(a *App) { a.AppID = "wx1" }, ""},
		{"appid 32 chars", func(a *App) { a.AppID = "wx" + strings.Repeat("a", 30) }, ""},
		{"appid upper case", func(a *App) { a.AppID = "wxABC123" }, ""},

		{"appid empty", func(a *App) { a.AppID = "" }, "appid"},
		{"appid only wx", func(a *App) { a.AppID = "wx" }, "appid"},
		{"appid without wx", func(a *App) { a.AppID = "app1234" }, "appid"},
		{"appid WX upper", func(a *App) { a.AppID = "WX1234" }, "appid"},
		{"appid 33 chars", func(a *App) { a.AppID = "wx" + strings.Repeat("a", 31) }, "appid"},
		{"appid hyphen", func(a *App) { a.AppID = "wx12-34" }, "appid"},
		{"appid underscore", func(a *App) { a.AppID = "wx12_34" }, "appid"},
		{"appid space", func(a *App) { a.AppID = "wx12 34" }, "appid"},
		{"appid trailing newline", func(a *App) { a.AppID = "wx1234\n" }, "appid"},
		{"appid non-ascii", func(a *App) { a.AppID = "wx12é" }, "appid"},
		{"appid slash", func(a *App) { a.AppID = "wx12/34" }, "appid"},

		{"original id without gh_", func(a *App) { a.OriginalID = "97417a04a28d" }, "original id"},
		{"original id GH_", func(a *App) { a.OriginalID = "GH_97417a04a28d" }, "original id"},

		{"token empty", func(a *App) { a.Token = "" }, "token is required"},
		{"token space", func(a *App) { a.Token = "AA AA" }, "white space"},
		{"token tab", func(a *App) { a.Token = "AA\tAA" }, "white space"},
		{"token newline", func(a *App) { a.Token = "AAAA\n" }, "white space"},
		{"token carriage return", func(a *App) { a.Token = "AAAA\r" }, "white space"},

		{"mode empty", func(a *App) { a.Mode = "" }, "mode"},
		{"mode unknown", func(a *App) { a.Mode = "paranoid" }, "paranoid"},
		{"mode upper case", func(a *App) { a.Mode = "SECURE" }, "mode"},
		{"mode padded", func(a *App) { a.Mode = " secure" }, "mode"},
		{"format empty", func(a *App) { a.Format = "" }, "format"},
		{"format unknown", func(a *App) { a.Format = "yaml" }, "yaml"},
		{"format upper case", func(a *App) { a.Format = "JSON" }, "format"},

		{"secure without key", func(a *App) { a.AESKey = "" }, "needs an aes key"},
		{"compat without key", func(a *App) { a.Mode, a.AESKey = ModeCompat, "" }, "needs an aes key"},
		{"key 42 chars", func(a *App) { a.AESKey = realKey1[:42] }, "aes key"},
		{"key 44 chars", func(a *App) { a.AESKey = realKey1 + "A" }, "aes key"},
		{"key with padding", func(a *App) { a.AESKey = realKey1 + "=" }, "aes key"},
		{"key with trailing newline", func(a *App) { a.AESKey = realKey1[:42] + "\n" }, "aes key"},
		{"key with trailing space", func(a *App) { a.AESKey = realKey1[:42] + " " }, "aes key"},
		{"key url-safe alphabet", func(a *App) { a.AESKey = "-" + realKey1[1:] }, "aes key"},
		{"key bad char", func(a *App) { a.AESKey = realKey1[:42] + "!" }, "aes key"},
		{"previous key short", func(a *App) { a.PrevAESKey = realKey2[:42] }, "previous aes key"},
		{"previous key bad char", func(a *App) { a.PrevAESKey = "*" + realKey2[1:] }, "previous aes key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := validApp()
			tc.mutate(&a)
			err := a.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error mentioning %q", tc.want)
			}
			if code := ErrorCodeOf(err); code != EInvalid {
				t.Errorf("error code %q, want %q", code, EInvalid)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestAppValidateKeepsSecretsOutOfErrors checks that a rejected key or token is not
// echoed back: error messages end up in terminals and logs.
func TestAppValidateKeepsSecretsOutOfErrors(t *testing.T) {
	for name, mutate := range map[string]func(*App){
		"key":          func(a *App) { a.AESKey = realKey1[:42] },
		"previous key": func(a *App) { a.PrevAESKey = realKey2[:40] },
		"token":        func(a *App) { a.Token = "secret token" },
	} {
		a := validApp()
		mutate(&a)
		err := a.Validate()
		if err == nil {
			t.Fatalf("%s: Validate() = nil", name)
		}
		for _, s := range []string{a.AESKey, a.PrevAESKey, a.Token} {
			if s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q reveals %q", name, err, s)
			}
		}
	}
}

func TestValidAESKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{realKey1, true},
		{realKey2, true},
		{zeroKey, true},
		{strings.Repeat("/", 42) + "w", true},
		{strings.Repeat("+", 43), true},
		{"", false},
		{realKey1[:42], false},
		{realKey1 + "=", false},
		{realKey1[:41] + "==", false},
		{realKey1[:42] + "\n", false},
		{realKey1[:42] + "_", false},
		{realKey1[:42] + ".", false},
		{strings.Repeat("A", 44), false},
	}
	for _, tc := range tests {
		if got := ValidAESKey(tc.key); got != tc.want {
			t.Errorf("ValidAESKey(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		ok   bool
	}{
		{"plain", ModePlain, true},
		{"compat", ModeCompat, true},
		{"secure", ModeSecure, true},
		{"SECURE", ModeSecure, true},
		{"  Compat\n", ModeCompat, true},
		{"", "", false},
		{"safe", "", false},
		{"compatible", "", false},
		{"aes", "", false},
	}
	for _, tc := range tests {
		got, err := ParseMode(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("ParseMode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseMode(%q) = %q, want an error", tc.in, got)
			continue
		}
		if ErrorCodeOf(err) != EInvalid || !strings.Contains(err.Error(), "plain, compat or secure") {
			t.Errorf("ParseMode(%q) error %q (%s), want an invalid error listing the modes", tc.in, err, ErrorCodeOf(err))
		}
		if !strings.Contains(err.Error(), strings.TrimSpace(tc.in)) {
			t.Errorf("ParseMode(%q) error %q does not name the input", tc.in, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		ok   bool
	}{
		{"xml", FormatXML, true},
		{"json", FormatJSON, true},
		{"JSON", FormatJSON, true},
		{" Xml ", FormatXML, true},
		{"", "", false},
		{"yaml", "", false},
		{"application/json", "", false},
	}
	for _, tc := range tests {
		got, err := ParseFormat(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("ParseFormat(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseFormat(%q) = %q, want an error", tc.in, got)
			continue
		}
		if ErrorCodeOf(err) != EInvalid || !strings.Contains(err.Error(), "xml or json") {
			t.Errorf("ParseFormat(%q) error %q (%s), want an invalid error listing the formats", tc.in, err, ErrorCodeOf(err))
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		secret, want string
	}{
		{"", ""},
		{"a", "****"},
		{"abcdefg", "****"},
		{"s3cret-value", "****"},
		{"abcdefghijklmno", "****"},                      // 15: nothing shown
		{"abcdefghijklmnop", "a****p"},                   // 16: one at each end
		{"TokenForPushes2026", "T****6"},                 // a typical token
		{"0123456789abcdef0123456789abcdef", "01****ef"}, // an AppSecret
		{realKey1, "jW****2C"},
		{"密钥密钥密钥密钥密钥密钥密钥密钥", "密****钥"}, // characters, not bytes
	}
	for _, tc := range tests {
		if got := Mask(tc.secret); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.secret, got, tc.want)
		}
	}
}

// TestMaskRevealsLittle checks every length: at most four characters of the secret
// survive, and never more than an eighth of it, so a short secret shows nothing.
func TestMaskRevealsLittle(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for n := 1; n <= len(alphabet); n++ {
		secret := alphabet[:n]
		got := Mask(secret)
		if got == secret {
			t.Fatalf("Mask(%q) reveals the whole secret", secret)
		}
		revealed := strings.ReplaceAll(got, "*", "")
		if len(revealed) > 4 {
			t.Errorf("Mask(%q) = %q reveals %d characters", secret, got, len(revealed))
		}
		if len(revealed)*8 > n {
			t.Errorf("Mask(%q) = %q reveals %d of %d characters, more than an eighth", secret, got, len(revealed), n)
		}
		if !strings.Contains(got, "****") {
			t.Errorf("Mask(%q) = %q does not look masked", secret, got)
		}
	}
}
