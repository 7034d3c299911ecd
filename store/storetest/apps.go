package storetest

import (
	"context"
	"testing"

	"kefu"
)

func testAppsCRUD(t *testing.T, e *env) {
	ctx := context.Background()
	a := e.createApp(t)
	wantCode(t, e.store.CreateApp(ctx, testApp()), kefu.EConflict)

	got, err := e.store.App(ctx, a.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Token != a.Token || got.AESKey != a.AESKey || got.Mode != kefu.ModeSecure || got.Format != kefu.FormatJSON || got.Secret != a.Secret {
		t.Fatalf("App = %+v, want %+v", got, a)
	}
	if !got.CreatedAt.Equal(Start) {
		t.Fatalf("CreatedAt = %v, want %v", got.CreatedAt, Start)
	}

	got.Mode, got.PrevAESKey = kefu.ModeCompat, "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
	if err := e.store.UpdateApp(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := e.store.App(ctx, a.AppID)
	if again.Mode != kefu.ModeCompat || again.PrevAESKey != got.PrevAESKey {
		t.Fatalf("after update: %+v", again)
	}

	other := testApp()
	other.AppID = "wx0000000000000001"
	if err := e.store.CreateApp(ctx, other); err != nil {
		t.Fatal(err)
	}
	apps, err := e.store.Apps(ctx)
	if err != nil || len(apps) != 2 || apps[0].AppID != other.AppID {
		t.Fatalf("Apps = %v, %v", apps, err)
	}

	if err := e.store.DeleteApp(ctx, other.AppID); err != nil {
		t.Fatal(err)
	}
	_, err = e.store.App(ctx, other.AppID)
	wantCode(t, err, kefu.ENotFound)
	wantCode(t, e.store.DeleteApp(ctx, other.AppID), kefu.ENotFound)
	wantCode(t, e.store.UpdateApp(ctx, other), kefu.ENotFound)
}

func testAppValidation(t *testing.T, e *env) {
	ctx := context.Background()
	for name, mutate := range map[string]func(*kefu.App){
		"short key":    func(a *kefu.App) { a.AESKey = "abc" },
		"bad key char": func(a *kefu.App) { a.AESKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!" },
		"no key":       func(a *kefu.App) { a.AESKey = "" },
		"bad mode":     func(a *kefu.App) { a.Mode = "paranoid" },
		"bad format":   func(a *kefu.App) { a.Format = "yaml" },
		"bad appid":    func(a *kefu.App) { a.AppID = "app1" },
		"no token":     func(a *kefu.App) { a.Token = "" },
	} {
		a := testApp()
		mutate(a)
		if err := e.store.CreateApp(ctx, a); kefu.ErrorCodeOf(err) != kefu.EInvalid {
			t.Errorf("%s: CreateApp error %v, want invalid", name, err)
		}
	}
	if apps, _ := e.store.Apps(ctx); len(apps) != 0 {
		t.Fatalf("invalid apps were stored: %v", apps)
	}
}

func testDeleteAppCascades(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	if err := e.store.DeleteApp(ctx, testAppID); err != nil {
		t.Fatal(err)
	}
	if ms := e.messages(t, kefu.MessageFilter{}); len(ms) != 0 {
		t.Fatalf("messages survived their app: %d", len(ms))
	}
	_, err := e.store.Customer(ctx, testAppID, "o1")
	wantCode(t, err, kefu.ENotFound)
}
