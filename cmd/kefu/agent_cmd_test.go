package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu"
	"kefu/auth"
	"kefu/store/sqlstore"
)

func passwordFile(t *testing.T, pw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func storedAgent(t *testing.T, db, login string) *kefu.Agent {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), db, sqlstore.Options{NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.AgentByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAgentCommands(t *testing.T) {
	db := newDB(t)
	// The first admin can be made before anything else, on a new database.
	r := kefuDB(t, db, "agent", "add", "--login", "boss", "--name", "王经理", "--admin", "--password-file", passwordFile(t, "first admin pw"))
	wantExit(t, r, 0, `added admin "boss"`, "every mini program")
	a := storedAgent(t, db, "boss")
	if ok, err := auth.CheckPassword(a.PasswordHash, "first admin pw"); !ok || err != nil || a.Role != kefu.RoleAdmin {
		t.Fatalf("stored admin %+v: password ok %v %v", a, ok, err)
	}
	addApp(t, db)
	r = kefuDB(t, db, "agent", "add", "--login", "li", "--name", "李雷", "--apps", testAppID, "--capacity", "3",
		"--auto-accept", "--password-file", passwordFile(t, "agent password"))
	wantExit(t, r, 0, `added agent "li"`, "serving "+testAppID)
	wantExit(t, kefuDB(t, db, "agent", "add", "--login", "li", "--name", "x", "--password-file", passwordFile(t, "agent password")), 1, "taken")
	wantExit(t, kefuDB(t, db, "agent", "add", "--login", "han", "--name", "x", "--apps", "wxnosuchapp000001",
		"--password-file", passwordFile(t, "agent password")), 1, "no mini program")
	wantExit(t, kefuDB(t, db, "agent", "add", "--login", "han", "--name", "x", "--password-file", passwordFile(t, "short")), 1, "at least 8")
	wantExit(t, kefuDB(t, db, "agent", "add", "--name", "x"), 2, "--login and --name are required")

	r = kefuDB(t, db, "agent", "list")
	wantExit(t, r, 0, "boss", "王经理", "(all)", "li", "李雷", testAppID)
	if strings.Contains(r.stdout, "$argon2id") {
		t.Fatal("list shows a password hash")
	}
	wantExit(t, kefuDB(t, db, "agent", "update", "--login", "li", "--capacity", "7", "--auto-accept=false"), 0, "capacity 7")
	if a := storedAgent(t, db, "li"); a.Capacity != 7 || a.AutoAccept || a.Name != "李雷" || len(a.Apps) != 1 {
		t.Fatalf("after update: %+v", a)
	}
	wantExit(t, kefuDB(t, db, "agent", "disable", "--login", "li"), 0, "signed them out")
	if !storedAgent(t, db, "li").Disabled {
		t.Fatal("not disabled")
	}
	wantExit(t, kefuDB(t, db, "agent", "list"), 0, "disabled")
	wantExit(t, kefuDB(t, db, "agent", "enable", "--login", "li"), 0, "enabled")
	wantExit(t, kefuDB(t, db, "agent", "passwd", "--login", "li", "--password-file", passwordFile(t, "a new password")), 0, "set the password")
	if ok, _ := auth.CheckPassword(storedAgent(t, db, "li").PasswordHash, "a new password"); !ok {
		t.Fatal("the new password does not check")
	}
	wantExit(t, kefuDB(t, db, "agent", "passwd", "--login", "nobody", "--password-file", passwordFile(t, "a new password")), 1, "no agent")
	// Without a terminal and without a file, kefu says how to give the password.
	wantExit(t, kefuDB(t, db, "agent", "passwd", "--login", "li"), 1, "--password-file")
}
