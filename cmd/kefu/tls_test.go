package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeTLS: with a certificate kefu serves HTTPS itself, and marks the
// session cookie Secure without being told.
func TestServeTLS(t *testing.T) {
	db := newDB(t)
	wantExit(t, kefuDB(t, db, "agent", "add", "--login", "boss", "--name", "王经理", "--admin", "--password-file", passwordFile(t, "a long password")), 0)
	cert, key := selfSigned(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	stderr := &syncBuffer{}
	go func() {
		exit <- run(ctx, []string{"serve", "--db", db, "--addr", addr, "--log-level", "warn", "--tls-cert", cert, "--tls-key", key}, noEnv, io.Discard, stderr)
	}()
	defer func() { cancel(); <-exit }()

	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	base := "https://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no HTTPS after 30 s: %v\n%s", err, stderr)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"login": {"boss"}, "password": {"a long password"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "kefu_session" {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly {
		t.Fatalf("sign-in over TLS: HTTP %d, cookie %+v; want a Secure, HttpOnly session cookie", resp.StatusCode, session)
	}
}

// TestServeTLSNeedsBoth: a certificate without its key (or one that does not
// load) is an error before anything listens.
func TestServeTLSNeedsBoth(t *testing.T) {
	cert, _ := selfSigned(t)
	wantExit(t, kefuDB(t, newDB(t), "serve", "--addr", "127.0.0.1:0", "--tls-cert", cert), 1, "--tls-cert and --tls-key go together")
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	wantExit(t, kefuDB(t, newDB(t), "serve", "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", bad), 1, "--tls-key")
}

// selfSigned writes a certificate for 127.0.0.1 and its key, returning their paths.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kefu test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return cert, key
}
