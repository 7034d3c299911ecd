package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommended minimum for argon2id (19 MiB, 2 passes,
// one lane), which costs a few tens of milliseconds a sign-in on one core. They are
// written into each hash, so they can be raised later without invalidating hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	saltLen        = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// ErrMalformedHash means a stored hash is not one HashPassword wrote.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// CheckNewPassword says what is wrong with a password someone wants to set, or nil.
func CheckNewPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return fmt.Errorf("the password must have at least %d characters", MinPasswordLength)
	}
	if len(pw) > 1024 {
		return fmt.Errorf("the password is too long")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash of pw with a fresh salt, in the
// usual $argon2id$v=19$m=…,t=…,p=…$salt$hash form.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	checking <- struct{}{}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	<-checking
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the encoded hash, comparing in
// constant time.
func CheckPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory == 0 || memory > 1<<21 || passes == 0 || passes > 16 || threads == 0 {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false, ErrMalformedHash
	}
	checking <- struct{}{}
	defer func() { <-checking }()
	got := argon2.IDKey([]byte(pw), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checking bounds the password checks running at once: each holds its memory
// parameter (19 MiB) for its duration, and a burst of sign-ins must not add up
// to more memory than a few cores can use anyway. The others wait their turn.
var checking = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// dummyHash is checked against when a login does not exist, so that a sign-in
// takes as long whether or not the login is known. It is made on first use: every
// kefu command would otherwise pay for one hash at start.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no such agent; this hash only spends the time")
	return h
})

// SpendCheckTime does the work of one password check for nothing: what a sign-in
// with an unknown login does, so that timing does not reveal which logins exist.
func SpendCheckTime(pw string) { CheckPassword(dummyHash(), pw) }
