//go:build unix

package sqlstore

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkSQLiteFloor measures the least any durable ingest on this driver can
// cost: only the message row with its two text indexes, 20 rows per multi-row
// INSERT and per transaction, no duplicate check, no customer or conversation, no
// HTTP. It is the reference for the ingest figures in docs/benchmarks.md.
func BenchmarkSQLiteFloor(b *testing.B) {
	for _, sync := range []string{"OFF", "FULL"} {
		b.Run("synchronous="+sync, func(b *testing.B) {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "floor.db")+
				"?_pragma=journal_mode(WAL)&_pragma=synchronous("+sync+")&_txlock=immediate")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			for _, ddl := range []string{
				`CREATE TABLE messages (id INTEGER PRIMARY KEY, appid TEXT, openid TEXT, dedup_key TEXT,
					content TEXT, raw BLOB, received_at BIGINT, UNIQUE (appid, dedup_key))`,
				`CREATE INDEX by_customer ON messages (appid, openid, id)`,
			} {
				if _, err := db.Exec(ddl); err != nil {
					b.Fatal(err)
				}
			}
			const batch = 20
			stmt, err := db.Prepare("INSERT INTO messages (appid, openid, dedup_key, content, raw, received_at) VALUES " +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", batch), ", "))
			if err != nil {
				b.Fatal(err)
			}
			raw := []byte(`{"ToUserName":"gh_97417a04a28d","FromUserName":"obench00000000001","CreateTime":1714112445,"MsgType":"text","Content":"hello","MsgId":1}`)
			n := (b.N + batch - 1) / batch * batch
			cpu0 := processCPU()
			b.ResetTimer()
			for i := 0; i < n; i += batch {
				tx, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				args := make([]any, 0, 6*batch)
				for j := i; j < i+batch; j++ {
					args = append(args, "wxba5fad812f8e6fb9", fmt.Sprintf("obench%011d", j%1000),
						fmt.Sprintf("m:%d", 1000000+j), "你好，我的订单还没有发货", raw, int64(j))
				}
				if _, err := tx.Stmt(stmt).Exec(args...); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(processCPU()-cpu0)/float64(n)/1e3, "cpu-µs/row")
		})
	}
}
