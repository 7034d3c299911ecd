-- Written once in the subset SQLite and PostgreSQL share. Times are Unix
-- milliseconds in BIGINT columns, so neither database's time zone rules apply.
-- dialect.go rewrites the two type names SQLite spells differently
-- (BIGSERIAL PRIMARY KEY, BYTEA); nothing else differs.

-- +goose Up
CREATE TABLE apps (
    appid        TEXT PRIMARY KEY,
    original_id  TEXT NOT NULL DEFAULT '',
    secret       TEXT NOT NULL DEFAULT '',
    token        TEXT NOT NULL,
    aes_key      TEXT NOT NULL DEFAULT '',
    prev_aes_key TEXT NOT NULL DEFAULT '',
    mode         TEXT NOT NULL,
    format       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE customers (
    id           BIGSERIAL PRIMARY KEY,
    appid        TEXT NOT NULL REFERENCES apps (appid) ON DELETE CASCADE,
    openid       TEXT NOT NULL,
    session_from TEXT NOT NULL DEFAULT '',
    first_seen   BIGINT NOT NULL,
    UNIQUE (appid, openid)
);

CREATE TABLE conversations (
    id              BIGSERIAL PRIMARY KEY,
    appid           TEXT NOT NULL,
    openid          TEXT NOT NULL,
    status          TEXT NOT NULL,
    opened_at       BIGINT NOT NULL,
    closed_at       BIGINT NOT NULL DEFAULT 0,
    FOREIGN KEY (appid, openid) REFERENCES customers (appid, openid) ON DELETE CASCADE
);
-- At most one open conversation per customer. Its last activity is read off the
-- customer's messages rather than kept here: ingest then writes a conversation
-- row only when it opens one, not on every message.
CREATE UNIQUE INDEX conversations_one_open ON conversations (appid, openid) WHERE status = 'open';

CREATE TABLE messages (
    id              BIGSERIAL PRIMARY KEY,
    appid           TEXT NOT NULL REFERENCES apps (appid) ON DELETE CASCADE,
    openid          TEXT NOT NULL,
    conversation_id BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    direction       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    msg_type        TEXT NOT NULL,
    event           TEXT NOT NULL DEFAULT '',
    wx_msgid        BIGINT NOT NULL DEFAULT 0,
    -- WeChat's retries of one push share this key: exactly-once ingest rests on it.
    dedup_key       TEXT NOT NULL,
    content         TEXT NOT NULL DEFAULT '',
    fields          TEXT NOT NULL DEFAULT '',
    raw             BYTEA,
    create_time     BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    -- The reply allowance this message granted (docs/protocol.md §12): grant_sends
    -- messages from grant_at until grant_expires_at. Kept on the message that
    -- granted it, which is the user's action, rather than in a table of its own:
    -- one row less to write per push.
    grant_sends      INTEGER NOT NULL DEFAULT 0,
    grant_at         BIGINT NOT NULL DEFAULT 0,
    grant_expires_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (appid, dedup_key)
);
-- A customer's history, and with an id range a conversation's. One index only:
-- every index is pages rewritten on each ingest commit.
CREATE INDEX messages_by_customer ON messages (appid, openid, id);

-- +goose Down
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE customers;
DROP TABLE apps;
