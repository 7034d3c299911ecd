package auth

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse 马")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q, %v", h, err)
	}
	h2, _ := HashPassword("correct horse 马")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse 马": true, "correct horse": false, "": false} {
		if ok, err := CheckPassword(h, pw); err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if _, err := CheckPassword(bad, "x"); err != ErrMalformedHash {
			t.Errorf("CheckPassword(%q): %v, want ErrMalformedHash", bad, err)
		}
	}
	if CheckNewPassword("short") == nil || CheckNewPassword("long enough") != nil {
		t.Error("CheckNewPassword")
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 40 || ha != TokenHash(a) || ha == a {
		t.Fatalf("tokens %q %q hash %q", a, b, ha)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewLimiter(3, time.Minute, 2)
	if ok, _ := l.Take("k", now); !ok {
		t.Fatal("refused the first attempt")
	}
	l.Forgive("k") // it succeeded: it does not count
	for range 3 {
		if ok, _ := l.Take("k", now); !ok {
			t.Fatal("refused before the limit")
		}
	}
	ok, wait := l.Take("k", now.Add(10*time.Second))
	if ok || wait != 50*time.Second {
		t.Fatalf("after 3 failures: %v, wait %v", ok, wait)
	}
	if ok, _ := l.Take("k", now.Add(time.Minute)); !ok {
		t.Fatal("still refused after the window")
	}
	l.Reset("k")
	l.Take("a", now)
	l.Take("b", now.Add(time.Second))
	l.Take("c", now.Add(2*time.Second)) // over size: the oldest goes
	if len(l.keys) != 2 || l.keys["a"] != nil {
		t.Fatalf("keys after eviction: %v", l.keys)
	}
}

// TestLimiterHoldsABurst: attempts made at once are counted as they start, so
// no more than the limit get through even before any has failed.
func TestLimiterHoldsABurst(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewLimiter(5, time.Minute, 100)
	var wg sync.WaitGroup
	var passed atomic.Int32
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Take("k", now); ok {
				passed.Add(1)
			}
		}()
	}
	wg.Wait()
	if passed.Load() != 5 {
		t.Fatalf("%d of 100 simultaneous attempts passed; want 5", passed.Load())
	}
}
