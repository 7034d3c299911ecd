package bench

import (
	"context"
	"fmt"
	"io"

	"kefu"
)

// CheckStored verifies exactly-once ingest after a run of pushes with result r:
// every push answered "success" is stored once, and no push is stored twice. It
// writes one line of counts to w and fails when either count is not zero. It counts
// rows by MsgId, which no unique index constrains: by dedup key, a push stored twice
// under two keys would go unseen.
func CheckStored(ctx context.Context, w io.Writer, store kefu.MessageStore, appID string, pushes []Push, r Result) error {
	ids := make([]int64, len(pushes))
	for i, push := range pushes {
		ids[i] = push.MsgID
	}
	counts, err := store.CountByWxMsgID(ctx, appID, ids)
	if err != nil {
		return err
	}
	missing, doubled := 0, 0
	for _, i := range r.AckedIndexes {
		if counts[ids[i]] == 0 {
			missing++
		}
	}
	for _, n := range counts {
		if n > 1 {
			doubled++
		}
	}
	fmt.Fprintf(w, "%-9s %d acknowledged pushes: %d missing from the store, %d stored more than once\n",
		"check", len(r.AckedIndexes), missing, doubled)
	if missing > 0 || doubled > 0 {
		return fmt.Errorf("exactly-once check failed")
	}
	return nil
}
