//go:build unix

package sqlstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"kefu"
)

// BenchmarkIngest measures the store alone: pushes from 1000 users, submitted by
// 32 goroutines as the webhook does, committed durably (synchronous=FULL); "signed"
// gives each push a URL signature to record, as for an app in plaintext mode.
func BenchmarkIngest(b *testing.B) {
	b.Run("secure", func(b *testing.B) { benchmarkIngest(b, false) })
	b.Run("signed", func(b *testing.B) { benchmarkIngest(b, true) })
}

func benchmarkIngest(b *testing.B, signed bool) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	app := &kefu.App{AppID: "wx1234567890abcdef", Token: "t", Mode: kefu.ModePlain, Format: kefu.FormatJSON}
	if err := s.CreateApp(context.Background(), app); err != nil {
		b.Fatal(err)
	}
	raw := []byte(`{"ToUserName":"gh_97417a04a28d","FromUserName":"obench00000000001","CreateTime":1714112445,"MsgType":"text","Content":"你好，我的订单还没有发货，能帮我查一下吗？","MsgId":1}`)
	var next atomic.Int64
	now := time.Now()
	b.SetParallelism(32)
	cpu0 := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := next.Add(1)
			m := &kefu.Inbound{AppID: app.AppID, ToUserName: "gh_97417a04a28d", OpenID: fmt.Sprintf("obench%011d", id%1000),
				CreateTime: now.Unix(), MsgType: "text", Kind: kefu.KindText, MsgID: id,
				Content: "你好，我的订单还没有发货，能帮我查一下吗？", Raw: raw, ReceivedAt: now}
			if signed {
				sum := sha1.Sum([]byte(strconv.FormatInt(id, 10)))
				m.Signed = &kefu.PushSignature{Signature: hex.EncodeToString(sum[:])}
			}
			if _, err := s.Ingest(context.Background(), m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
}

// processCPU is the user+system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
