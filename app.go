package kefu

import (
	"encoding/base64"
	"strings"
	"time"
)

// Mode is a mini program's message encryption mode (消息加密方式).
type Mode string

// The three modes WeChat offers.
const (
	ModePlain  Mode = "plain"  // 明文: no ciphertext
	ModeCompat Mode = "compat" // 兼容: plaintext fields and Encrypt side by side
	ModeSecure Mode = "secure" // 安全: ciphertext only
)

// ParseMode accepts the names above.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case ModePlain, ModeCompat, ModeSecure:
		return m, nil
	}
	return "", Errorf(EInvalid, "unknown mode %q: want plain, compat or secure", s)
}

// Format is a mini program's push data format (数据格式).
type Format string

// The two formats WeChat offers.
const (
	FormatXML  Format = "xml"
	FormatJSON Format = "json"
)

// ParseFormat accepts the names above.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatXML, FormatJSON:
		return f, nil
	}
	return "", Errorf(EInvalid, "unknown format %q: want xml or json", s)
}

// App is one mini program kefu serves, with what WeChat's 消息推送配置 holds for it.
// Secret, Token, AESKey and PrevAESKey are secrets: never log or print them whole.
type App struct {
	AppID      string // wx…, the key everywhere
	OriginalID string // gh_…, the ToUserName of pushes
	Secret     string // AppSecret, for access tokens
	Token      string // signs pushes
	AESKey     string // current EncodingAESKey (43 chars), empty in plain mode
	PrevAESKey string // the key before the last rotation, tried when AESKey fails
	Mode       Mode
	Format     Format
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate checks everything that can be checked without WeChat.
func (a App) Validate() error {
	if !ValidAppID(a.AppID) {
		return Errorf(EInvalid, "appid %q: want wx followed by letters or digits (as shown in the mini program console)", a.AppID)
	}
	if a.OriginalID != "" && !strings.HasPrefix(a.OriginalID, "gh_") {
		return Errorf(EInvalid, "original id %q: want gh_…", a.OriginalID)
	}
	if a.Token == "" {
		return Errorf(EInvalid, "token is required: it signs every push")
	}
	if strings.ContainsAny(a.Token, " \t\r\n") {
		return Errorf(EInvalid, "token must not contain white space")
	}
	// Exact names only: ParseMode and ParseFormat forgive case and spaces in what a
	// person types, but a stored "SECURE" would compare unequal to ModeSecure where the
	// webhook refuses plaintext downgrades, and "JSON" would match no decoder.
	if m, err := ParseMode(string(a.Mode)); err != nil || m != a.Mode {
		return Errorf(EInvalid, "unknown mode %q: want plain, compat or secure (lower case)", a.Mode)
	}
	if f, err := ParseFormat(string(a.Format)); err != nil || f != a.Format {
		return Errorf(EInvalid, "unknown format %q: want xml or json (lower case)", a.Format)
	}
	if a.AESKey != "" && !ValidAESKey(a.AESKey) {
		return Errorf(EInvalid, "aes key: want 43 base64 characters (the EncodingAESKey from the mini program console)")
	}
	if a.PrevAESKey != "" && !ValidAESKey(a.PrevAESKey) {
		return Errorf(EInvalid, "previous aes key: want 43 base64 characters")
	}
	if a.Mode != ModePlain && a.AESKey == "" {
		return Errorf(EInvalid, "mode %s needs an aes key", a.Mode)
	}
	return nil
}

// ValidAppID reports whether s has the shape of an appid kefu accepts: "wx" and
// letters or digits, at most 32 characters. The webhook checks it before a lookup or
// a log line, so that an invented path costs neither.
func ValidAppID(s string) bool {
	if len(s) < 3 || len(s) > 32 || !strings.HasPrefix(s, "wx") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// ValidAESKey reports whether s is an EncodingAESKey: 43 characters of the standard
// base64 alphabet that decode, with a trailing "=", to 32 bytes. The decoding is
// deliberately not Strict: the 43rd character carries two unused bits that real keys
// set (docs/protocol.md §5.1).
func ValidAESKey(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(s + "=")
	return err == nil && len(b) == 32
}

// Mask shows at most the first and last two characters of a secret, enough to tell
// two secrets apart in a listing without revealing either. What it shows is never
// more than an eighth of the secret: a short secret loses too much to a guess from
// each character shown, so one under 16 characters shows none.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	r := []rune(secret)
	k := min(2, len(r)/16)
	return string(r[:k]) + "****" + string(r[len(r)-k:])
}
