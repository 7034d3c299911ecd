package webhook

import (
	"context"
	"strconv"
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
)

type noApps struct{}

func (noApps) App(ctx context.Context, appID string) (*kefu.App, error) {
	return nil, kefu.Errorf(kefu.ENotFound, "no app %s", appID)
}

// Invented appids are remembered as unknown, but never more than maxUnknown of
// them at once, however many are tried.
func TestUnknownAppidsBounded(t *testing.T) {
	c := newAppCache(noApps{}, testclock.New(time.Unix(1714112445, 0)), time.Hour)
	for i := range 3 * maxUnknown {
		if _, err := c.get(context.Background(), "wxinvented"+strconv.Itoa(i)); kefu.ErrorCodeOf(err) != kefu.ENotFound {
			t.Fatalf("invented appid %d: %v", i, err)
		}
		if c.unknown > maxUnknown || len(c.entries) > maxUnknown {
			t.Fatalf("after %d invented appids: %d unknown, %d entries; the bound is %d", i+1, c.unknown, len(c.entries), maxUnknown)
		}
	}
}
