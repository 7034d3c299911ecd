package bench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kefu"
)

// The refuse benchmark passes against a server that refuses every request and fails
// against one that answers success, as the baseline handler does to anything.
func TestRunRefuse(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "signature mismatch", http.StatusUnauthorized)
	}))
	defer refusing.Close()
	accepting := httptest.NewServer(BaselineHandler())
	defer accepting.Close()

	cfg := RefuseConfig{URL: refusing.URL + "/wx/app", N: 10, Concurrency: 2, Size: 4096, Format: kefu.FormatXML}
	var out bytes.Buffer
	if err := RunRefuse(context.Background(), cfg, &out); err != nil || !strings.Contains(out.String(), "0 answered success, 10 refused or failed") {
		t.Fatalf("against a refusing server: %v\n%s", err, out.String())
	}
	cfg.URL = accepting.URL + "/wx/app"
	out.Reset()
	if err := RunRefuse(context.Background(), cfg, &out); err == nil || !strings.Contains(err.Error(), "10 requests with a wrong signature were answered success") {
		t.Fatalf("against a server answering success: %v\n%s", err, out.String())
	}
}
