package kefu

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what an agent may do: admins also manage agents and mini programs, and
// see every mini program.
type Role string

// The two roles (客服 / 管理员).
const (
	RoleAgent Role = "agent"
	RoleAdmin Role = "admin"
)

// Presence is an agent's status, visible to colleagues (在线 / 离开 / 离线).
type Presence string

// Online agents take conversations; away ones keep theirs but take no new ones;
// offline ones have none.
const (
	Online  Presence = "online"
	Away    Presence = "away"
	Offline Presence = "offline"
)

// ParsePresence accepts the names above.
func ParsePresence(s string) (Presence, error) {
	switch p := Presence(strings.ToLower(strings.TrimSpace(s))); p {
	case Online, Away, Offline:
		return p, nil
	}
	return "", Errorf(EInvalid, "unknown status %q: want online, away or offline", s)
}

// DefaultCapacity is how many conversations an agent takes at once unless set.
const DefaultCapacity = 5

// MaxCapacity bounds an agent's capacity: more at once is not service.
const MaxCapacity = 100

// Agent is a person who answers customers in the console. There is no cap on their
// number (WeChat's own tool allows 100 per mini program).
type Agent struct {
	ID    int64
	Login string // what they sign in with: letters, digits, . _ - @
	Name  string // what colleagues see
	Role  Role
	// PasswordHash is the encoded hash (see package auth); never shown or logged.
	PasswordHash string
	Disabled     bool
	// Capacity is the most conversations the agent takes at once (接待上限).
	Capacity int
	// AutoAccept gives the agent waiting conversations as they come, while online
	// with room (自动接入).
	AutoAccept bool
	Status     Presence
	StatusAt   time.Time // when Status last changed
	// Apps are the mini programs the agent serves. Admins serve every one.
	Apps      []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Serves reports whether the agent may see and act on the mini program's
// conversations (docs/architecture.md invariant 9).
func (a *Agent) Serves(appID string) bool {
	return !a.Disabled && (a.Role == RoleAdmin || slices.Contains(a.Apps, appID))
}

// Validate checks what can be checked of an agent without the store.
func (a *Agent) Validate() error {
	if !validLogin(a.Login) {
		return Errorf(EInvalid, "login %q: want 1 to 64 letters, digits or . _ - @", a.Login)
	}
	if strings.TrimSpace(a.Name) == "" || utf8.RuneCountInString(a.Name) > 64 {
		return Errorf(EInvalid, "name: want 1 to 64 characters")
	}
	if a.Role != RoleAgent && a.Role != RoleAdmin {
		return Errorf(EInvalid, "role %q: want agent or admin", a.Role)
	}
	if a.Capacity < 1 || a.Capacity > MaxCapacity {
		return Errorf(EInvalid, "capacity %d: want 1 to %d conversations at once", a.Capacity, MaxCapacity)
	}
	for _, app := range a.Apps {
		if !ValidAppID(app) {
			return Errorf(EInvalid, "mini program %q: not an appid", app)
		}
	}
	return nil
}

func validLogin(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return false
		}
	}
	return true
}

// Session is one signed-in browser. The token itself lives only in the browser's
// cookie; the store keeps its hash, so that a copy of the database signs nobody in.
type Session struct {
	TokenHash string
	AgentID   int64
	CreatedAt time.Time
	SeenAt    time.Time // the last request; idle expiry counts from it
	ExpiresAt time.Time // absolute expiry, whatever the activity
	Addr      string    // where it signed in from
	UserAgent string
}

// AgentStore keeps agents and their sessions.
type AgentStore interface {
	// CreateAgent adds an agent (with Apps) and fills in ID; a taken login is an
	// EConflict error.
	CreateAgent(ctx context.Context, a *Agent) error
	// UpdateAgent changes an agent's name, role, capacity, auto-accept, disabled
	// flag and apps.
	UpdateAgent(ctx context.Context, a *Agent) error
	SetPassword(ctx context.Context, agentID int64, hash string) error
	SetPresence(ctx context.Context, agentID int64, p Presence, at time.Time) error
	SetAutoAccept(ctx context.Context, agentID int64, on bool) error
	// Agent and AgentByLogin return an agent with its apps, or an ENotFound error.
	Agent(ctx context.Context, id int64) (*Agent, error)
	AgentByLogin(ctx context.Context, login string) (*Agent, error)
	Agents(ctx context.Context) ([]*Agent, error)
	// AutoAcceptors returns the agents of a mini program who take its
	// conversations automatically now: enabled, online, with auto-accept on.
	AutoAcceptors(ctx context.Context, appID string) ([]*Agent, error)

	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session of a token hash, or an ENotFound error.
	Session(ctx context.Context, tokenHash string) (*Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteSessions signs an agent out everywhere (disabled, password changed).
	DeleteSessions(ctx context.Context, agentID int64) error
}
