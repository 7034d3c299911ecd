package crypt

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// KeyIndex names which of a Cipher's keys opened a push, so that the reply can
// be sealed with the same key: WeChat may still hold the previous key for a while
// after a key change.
type KeyIndex int

// The keys of a Cipher. KeyCurrent is the zero value, so code that ignores
// rotation seals with the current key.
const (
	KeyCurrent  KeyIndex = 0
	KeyPrevious KeyIndex = 1
)

// String names the key for logs ("current", "previous").
func (i KeyIndex) String() string {
	switch i {
	case KeyCurrent:
		return "current"
	case KeyPrevious:
		return "previous"
	}
	return fmt.Sprintf("KeyIndex(%d)", int(i))
}

// Cipher opens and seals envelopes for one mini program. It keeps the current
// EncodingAESKey and, during a key change, the previous one, with both AES key
// schedules expanded up front because Open runs on every push. A Cipher is
// immutable and safe for concurrent use; to rotate keys, build a new one.
type Cipher struct {
	appID       string
	keys        [2]*keySchedule
	hasPrevious bool
}

// NewCipher parses the keys of one mini program. prevAESKey is "" when there is
// no key change in progress. The appid is required: an empty one would accept
// envelopes with an empty tail.
func NewCipher(appID, aesKey, prevAESKey string) (*Cipher, error) {
	if appID == "" {
		return nil, fmt.Errorf("crypt: empty appid: %w", ErrBadAppID)
	}
	cur, err := ParseKey(aesKey)
	if err != nil {
		return nil, fmt.Errorf("crypt: current key: %w", err)
	}
	c := &Cipher{appID: appID}
	c.keys[KeyCurrent] = newKeySchedule(cur)
	if prevAESKey != "" {
		prev, err := ParseKey(prevAESKey)
		if err != nil {
			return nil, fmt.Errorf("crypt: previous key: %w", err)
		}
		c.keys[KeyPrevious] = newKeySchedule(prev)
		c.hasPrevious = true
	}
	return c, nil
}

// AppID returns the AppID the Cipher checks tails against and seals with.
func (c *Cipher) AppID() string { return c.appID }

// HasPrevious reports whether the Cipher holds a previous key.
func (c *Cipher) HasPrevious() bool { return c.hasPrevious }

// Open decrypts an Encrypt value and checks that its appid tail is this mini
// program's. It tries the current key and then the previous one, and reports
// which worked; used is meaningful only when err is nil. When both fail it
// returns ErrBadAppID if either key produced it (the envelope was genuine but
// not ours, the more useful thing to log), else the current key's error.
// The returned msg is owned by the caller.
func (c *Cipher) Open(encrypt string) (msg []byte, used KeyIndex, err error) {
	ct, err := decodeCiphertext(encrypt)
	if err != nil {
		return nil, KeyCurrent, err // does not depend on the key
	}
	msg, err = c.openWith(KeyCurrent, ct)
	if err == nil || !c.hasPrevious {
		return msg, KeyCurrent, err
	}
	// The first attempt decrypted ct in place; decode afresh. This only costs on
	// the rare pushes still sealed with the old key.
	ct, _ = decodeCiphertext(encrypt)
	msg, prevErr := c.openWith(KeyPrevious, ct)
	if prevErr == nil {
		return msg, KeyPrevious, nil
	}
	if errors.Is(prevErr, ErrBadAppID) {
		return nil, KeyCurrent, ErrBadAppID
	}
	return nil, KeyCurrent, err
}

func (c *Cipher) openWith(i KeyIndex, ct []byte) ([]byte, error) {
	f, err := c.keys[i].open(ct)
	if err != nil {
		return nil, err
	}
	if string(f.appID) != c.appID {
		return nil, ErrBadAppID
	}
	return f.msg, nil
}

// Seal encrypts a reply with the key Open reported, under a fresh random prefix
// from crypto/rand, and returns the Encrypt value. The caller signs it with
// MsgSignature over the reply's own timestamp and nonce.
func (c *Cipher) Seal(msg []byte, used KeyIndex) (string, error) {
	if used != KeyCurrent && (used != KeyPrevious || !c.hasPrevious) {
		return "", ErrNoSuchKey
	}
	if uint64(len(msg)) > maxMsgLen {
		return "", ErrMsgTooLong
	}
	var random [randomLen]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("crypt: random prefix: %w", err)
	}
	return encodeCiphertext(c.keys[used].seal(random, msg, c.appID)), nil
}

// Format prints the appid and the number of keys for every verb, never the key
// schedules, so a Cipher logged by mistake leaks nothing. It has a value receiver
// so that a dereferenced Cipher is covered too.
func (c Cipher) Format(f fmt.State, _ rune) {
	n := 1
	if c.hasPrevious {
		n = 2
	}
	fmt.Fprintf(f, "crypt.Cipher(%s, %d keys)", c.appID, n)
}
