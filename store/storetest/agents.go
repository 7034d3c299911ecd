package storetest

import (
	"context"
	"testing"
	"time"

	"kefu"
)

func (e *env) agent(t *testing.T, login string, apps ...string) *kefu.Agent {
	t.Helper()
	a := &kefu.Agent{Login: login, Name: "Agent " + login, Role: kefu.RoleAgent, Capacity: 3, Apps: apps, PasswordHash: "h"}
	if err := e.store.CreateAgent(context.Background(), a); err != nil {
		t.Fatalf("CreateAgent(%s): %v", login, err)
	}
	return a
}

// testAgents: agents are created with their mini programs, found by id and login,
// changed, and a login cannot be taken twice; sessions are kept by token hash.
func testAgents(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	a := e.agent(t, "li.lei", testAppID)
	if a.ID == 0 || a.Status != kefu.Offline {
		t.Fatalf("created %+v", a)
	}
	if err := e.store.CreateAgent(ctx, &kefu.Agent{Login: "li.lei", Name: "x", Role: kefu.RoleAgent, Capacity: 1}); kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("a taken login: %v, want EConflict", err)
	}
	if err := e.store.CreateAgent(ctx, &kefu.Agent{Login: "han", Name: "Han", Role: kefu.RoleAgent, Capacity: 1, Apps: []string{"wxnosuchapp000001"}}); kefu.ErrorCodeOf(err) != kefu.EInvalid {
		t.Fatalf("an unknown mini program: %v, want EInvalid", err)
	}
	got, err := e.store.AgentByLogin(ctx, "li.lei")
	if err != nil || got.ID != a.ID || len(got.Apps) != 1 || got.Apps[0] != testAppID || got.PasswordHash != "h" {
		t.Fatalf("AgentByLogin = %+v, %v", got, err)
	}
	got.Name, got.Role, got.Capacity, got.AutoAccept, got.Apps = "李雷", kefu.RoleAdmin, 8, true, nil
	if err := e.store.UpdateAgent(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPresence(ctx, a.ID, kefu.Online, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPassword(ctx, a.ID, "h2"); err != nil {
		t.Fatal(err)
	}
	got, err = e.store.Agent(ctx, a.ID)
	if err != nil || got.Name != "李雷" || got.Role != kefu.RoleAdmin || got.Capacity != 8 || !got.AutoAccept ||
		len(got.Apps) != 0 || got.Status != kefu.Online || got.PasswordHash != "h2" {
		t.Fatalf("after update: %+v, %v", got, err)
	}
	if err := e.store.SetAutoAccept(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, err := e.store.Agent(ctx, a.ID); err != nil || got.AutoAccept || got.Name != "李雷" || got.Role != kefu.RoleAdmin {
		t.Fatalf("after SetAutoAccept(false): %+v, %v; want only auto-accept changed", got, err)
	}
	if _, err := e.store.Agent(ctx, 999); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatalf("unknown agent: %v", err)
	}

	now := e.clock.Now()
	ses := &kefu.Session{TokenHash: "th1", AgentID: a.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour), Addr: "127.0.0.1"}
	if err := e.store.CreateSession(ctx, ses); err != nil {
		t.Fatal(err)
	}
	if err := e.store.TouchSession(ctx, "th1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s, err := e.store.Session(ctx, "th1")
	if err != nil || s.AgentID != a.ID || !s.SeenAt.Equal(now.Add(time.Minute)) || !s.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("Session = %+v, %v", s, err)
	}
	e.store.CreateSession(ctx, &kefu.Session{TokenHash: "th2", AgentID: a.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now})
	if err := e.store.DeleteSession(ctx, "th1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Session(ctx, "th1"); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatalf("a deleted session: %v", err)
	}
	if err := e.store.DeleteSessions(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Session(ctx, "th2"); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatalf("a session after signing out everywhere: %v", err)
	}
}
