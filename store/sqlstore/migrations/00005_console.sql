-- The console: agents, their mini programs and sessions, and the desk's routing of
-- conversations. Routing lives in a table of its own, written after a push's commit
-- by the desk, never by ingest: the push path gains no column and no index.

-- +goose Up
CREATE TABLE agents (
    id            BIGSERIAL PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    capacity      INTEGER NOT NULL,
    auto_accept   BOOLEAN NOT NULL DEFAULT FALSE,
    status        TEXT NOT NULL DEFAULT 'offline',
    status_at     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE agent_apps (
    agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    appid    TEXT NOT NULL REFERENCES apps (appid) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, appid)
);

-- token_hash: SHA-256 of the cookie's random token; the token itself is never stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    addr       TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_agent ON sessions (agent_id);

CREATE TABLE conversation_routing (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    appid           TEXT NOT NULL,
    openid          TEXT NOT NULL,
    state           TEXT NOT NULL,
    agent_id        BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    queued_at       BIGINT NOT NULL,
    assigned_at     BIGINT NOT NULL DEFAULT 0,
    closed_at       BIGINT NOT NULL DEFAULT 0,
    close_reason    TEXT NOT NULL DEFAULT '',
    -- the customer's latest message when it was closed: a later one in the closed
    -- conversation arrived as it closed, and reopens it
    closed_last_id  BIGINT NOT NULL DEFAULT 0,
    read_id         BIGINT NOT NULL DEFAULT 0
);
-- The queue of each mini program, head first; and each agent's conversations.
CREATE INDEX routing_queue ON conversation_routing (appid, queued_at) WHERE state = 'waiting';
CREATE INDEX routing_active ON conversation_routing (agent_id) WHERE state = 'active';
-- A customer's conversations, for the console's side panel.
CREATE INDEX routing_by_customer ON conversation_routing (appid, openid);

-- +goose Down
DROP TABLE conversation_routing;
DROP TABLE sessions;
DROP TABLE agent_apps;
DROP TABLE agents;
