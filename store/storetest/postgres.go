package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// PostgresURL returns the database named by KEFU_TEST_POSTGRES, or skips the test
// when it is unset. Once it is set the tests are required: a database that cannot be
// reached fails them rather than skipping.
func PostgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("KEFU_TEST_POSTGRES")
	if u == "" {
		t.Skip("KEFU_TEST_POSTGRES is not set: PostgreSQL tests skipped")
	}
	return u
}

// FreshSchema creates an empty schema in the database at base, drops it when the test
// ends, and returns a URL whose connections work inside it, so tests that share one
// database never see each other's rows.
func FreshSchema(t *testing.T, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("KEFU_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "kefu_test_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("KEFU_TEST_POSTGRES: create schema: %v", err)
	}
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KEFU_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
