package bench

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The sender benchmark, small: every message ends sent, once, and the report says so.
func TestRunSend(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := SendConfig{DB: filepath.Join(t.TempDir(), "kefu.db"), N: 60, Customers: 6, Workers: 4, Enqueuers: 3}
	var out bytes.Buffer
	if err := RunSend(ctx, cfg, &out); err != nil {
		t.Fatalf("RunSend: %v\n%s", err, out.String())
	}
	for _, want := range []string{"60 to 6 customers, 4 sender workers", "60 sent, 0 failed; 0 arrived twice, 0 sent but missing"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if err := RunSend(ctx, SendConfig{N: 1}, &out); err == nil || !strings.Contains(err.Error(), "must be positive") {
		t.Errorf("zero customers and workers: %v", err)
	}
}
