package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"kefu"
	"kefu/store/sqlstore"
	"kefu/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock kefu.Clock) kefu.Store {
		s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "kefu.db"), sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	storetest.Run(t, func(t *testing.T, clock kefu.Clock) kefu.Store {
		s, err := sqlstore.Open(context.Background(), storetest.FreshSchema(t, url), sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
