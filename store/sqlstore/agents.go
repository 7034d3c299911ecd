package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"kefu"
)

const agentColumns = `id, login, name, role, password_hash, disabled, capacity, auto_accept, status, status_at, created_at, updated_at`

// CreateAgent adds an agent with its mini programs; a login already taken is an
// EConflict error.
func (s *Store) CreateAgent(ctx context.Context, a *kefu.Agent) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Status == "" {
		a.Status = kefu.Offline
	}
	now := s.clock.Now()
	a.CreatedAt, a.UpdatedAt = now, now
	return s.inWriteTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO agents (login, name, role, password_hash, disabled, capacity,
			auto_accept, status, status_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (login) DO NOTHING RETURNING id`),
			a.Login, a.Name, string(a.Role), a.PasswordHash, a.Disabled, a.Capacity, a.AutoAccept,
			string(a.Status), millis(a.StatusAt), millis(now), millis(now)).Scan(&a.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return kefu.Errorf(kefu.EConflict, "login %q is taken", a.Login)
		}
		if err != nil {
			return err
		}
		return s.setAgentApps(ctx, tx, a)
	})
}

// UpdateAgent changes what an admin may change of an agent: name, role, capacity,
// auto-accept, disabled, and mini programs.
func (s *Store) UpdateAgent(ctx context.Context, a *kefu.Agent) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.UpdatedAt = s.clock.Now()
	return s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE agents SET name = ?, role = ?, disabled = ?, capacity = ?,
			auto_accept = ?, updated_at = ? WHERE id = ?`),
			a.Name, string(a.Role), a.Disabled, a.Capacity, a.AutoAccept, millis(a.UpdatedAt), a.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kefu.Errorf(kefu.ENotFound, "no agent %d", a.ID)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM agent_apps WHERE agent_id = ?`), a.ID); err != nil {
			return err
		}
		return s.setAgentApps(ctx, tx, a)
	})
}

func (s *Store) setAgentApps(ctx context.Context, tx *sql.Tx, a *kefu.Agent) error {
	for _, app := range a.Apps {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO agent_apps (agent_id, appid) VALUES (?, ?) ON CONFLICT DO NOTHING`), a.ID, app)
		if err != nil {
			if strings.Contains(strings.ToLower(err.Error()), "foreign key") {
				return kefu.Errorf(kefu.EInvalid, "no mini program %s", app)
			}
			return err
		}
	}
	return nil
}

// SetPassword replaces an agent's password hash.
func (s *Store) SetPassword(ctx context.Context, agentID int64, hash string) error {
	return s.updateAgentRow(ctx, agentID, `password_hash = ?`, hash)
}

// SetPresence records an agent's status.
func (s *Store) SetPresence(ctx context.Context, agentID int64, p kefu.Presence, at time.Time) error {
	return s.updateAgentRow(ctx, agentID, `status = ?, status_at = ?`, string(p), millis(at))
}

// SetAutoAccept records whether an agent takes conversations automatically.
func (s *Store) SetAutoAccept(ctx context.Context, agentID int64, on bool) error {
	return s.updateAgentRow(ctx, agentID, `auto_accept = ?`, on)
}

func (s *Store) updateAgentRow(ctx context.Context, id int64, set string, args ...any) error {
	res, err := s.onWrite().exec(ctx, `UPDATE agents SET `+set+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.Errorf(kefu.ENotFound, "no agent %d", id)
	}
	return nil
}

// Agent returns an agent with its mini programs.
func (s *Store) Agent(ctx context.Context, id int64) (*kefu.Agent, error) {
	return s.oneAgent(ctx, `id = ?`, id)
}

// AgentByLogin returns the agent who signs in as login.
func (s *Store) AgentByLogin(ctx context.Context, login string) (*kefu.Agent, error) {
	return s.oneAgent(ctx, `login = ?`, login)
}

func (s *Store) oneAgent(ctx context.Context, where string, arg any) (*kefu.Agent, error) {
	as, err := s.agents(ctx, where+` ORDER BY login`, arg)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, kefu.Errorf(kefu.ENotFound, "no such agent")
	}
	return as[0], nil
}

// Agents returns every agent, by login.
func (s *Store) Agents(ctx context.Context) ([]*kefu.Agent, error) {
	return s.agents(ctx, `1 = 1 ORDER BY login`)
}

// agentApps reads the mini programs of the agents: by id for one or a few, the
// whole table for many.
func (s *Store) agentApps(ctx context.Context, agents []*kefu.Agent) (*sql.Rows, error) {
	const all = `SELECT agent_id, appid FROM agent_apps`
	switch {
	case len(agents) == 1:
		return s.onRead().query(ctx, all+` WHERE agent_id = ?`, agents[0].ID)
	case len(agents) > 100:
		return s.onRead().query(ctx, all)
	}
	ids := make([]any, len(agents))
	for i, a := range agents {
		ids[i] = a.ID
	}
	// Not prepared: each length of the list would be a statement kept for good.
	return s.read.QueryContext(ctx, s.q(all+` WHERE agent_id IN (`+placeholders(len(ids))+`)`), ids...)
}

// AutoAcceptors returns the agents who take a mini program's conversations
// automatically now. The desk asks at each new conversation: the filter is in
// the query, so that a team of hundreds costs the few rows that qualify.
func (s *Store) AutoAcceptors(ctx context.Context, appID string) ([]*kefu.Agent, error) {
	// Spelled so that SQLite walks the partial index agents_taking_work (00006),
	// which holds only such agents: it uses the index only for a query that
	// repeats its terms, and prefers another when asked for an order or given
	// an IN list to start from.
	return s.agents(ctx, autoAcceptorsWhere, appID)
}

// An admin serves every mini program (kefu.Agent.Serves), listed or not.
const autoAcceptorsWhere = `status = 'online' AND auto_accept AND NOT disabled
	AND (role = 'admin' OR EXISTS (SELECT 1 FROM agent_apps p WHERE p.agent_id = agents.id AND p.appid = ?))`

// agents reads the agents that where (which may end in ORDER BY) selects, with
// their mini programs.
func (s *Store) agents(ctx context.Context, where string, args ...any) ([]*kefu.Agent, error) {
	rows, err := s.onRead().query(ctx, `SELECT `+agentColumns+` FROM agents WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*kefu.Agent
	byID := map[int64]*kefu.Agent{}
	for rows.Next() {
		var a kefu.Agent
		var role, status string
		var statusAt, created, updated int64
		if err := rows.Scan(&a.ID, &a.Login, &a.Name, &role, &a.PasswordHash, &a.Disabled, &a.Capacity,
			&a.AutoAccept, &status, &statusAt, &created, &updated); err != nil {
			return nil, err
		}
		a.Role, a.Status = kefu.Role(role), kefu.Presence(status)
		a.StatusAt, a.CreatedAt, a.UpdatedAt = fromMillis(statusAt), fromMillis(created), fromMillis(updated)
		out = append(out, &a)
		byID[a.ID] = &a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	apps, err := s.agentApps(ctx, out)
	if err != nil {
		return nil, err
	}
	defer apps.Close()
	for apps.Next() {
		var id int64
		var app string
		if err := apps.Scan(&id, &app); err != nil {
			return nil, err
		}
		if a := byID[id]; a != nil {
			a.Apps = append(a.Apps, app)
		}
	}
	for _, a := range out {
		sort.Strings(a.Apps)
	}
	return out, apps.Err()
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ses *kefu.Session) error {
	_, err := s.onWrite().exec(ctx, `INSERT INTO sessions (token_hash, agent_id, created_at, seen_at, expires_at, addr, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ses.TokenHash, ses.AgentID, millis(ses.CreatedAt), millis(ses.SeenAt),
		millis(ses.ExpiresAt), ses.Addr, ses.UserAgent)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the session of a token hash.
func (s *Store) Session(ctx context.Context, tokenHash string) (*kefu.Session, error) {
	ses := kefu.Session{TokenHash: tokenHash}
	var created, seen, expires int64
	err := s.onRead().scan(ctx, `SELECT agent_id, created_at, seen_at, expires_at, addr, user_agent
		FROM sessions WHERE token_hash = ?`, []any{tokenHash}, &ses.AgentID, &created, &seen, &expires, &ses.Addr, &ses.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kefu.Errorf(kefu.ENotFound, "no such session")
	}
	ses.CreatedAt, ses.SeenAt, ses.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expires)
	return &ses, err
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.onWrite().exec(ctx, `UPDATE sessions SET seen_at = ? WHERE token_hash = ?`, millis(at), tokenHash)
	return err
}

// DeleteSession signs one session out.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.onWrite().exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// DeleteSessions signs an agent out everywhere.
func (s *Store) DeleteSessions(ctx context.Context, agentID int64) error {
	_, err := s.onWrite().exec(ctx, `DELETE FROM sessions WHERE agent_id = ?`, agentID)
	return err
}
