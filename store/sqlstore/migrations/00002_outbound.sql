-- Outbound delivery, stored images, and the re-hosting of inbound media.

-- +goose Up
-- An outbound message's way to WeChat: status queued → sending → sent | failed.
-- For inbound images and cards, attempts, next_attempt_at and err_reason track
-- the fetching of their media instead; media_state says how far it came.
ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN done_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN err_code INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN err_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN media_key TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN media_state TEXT NOT NULL DEFAULT '';

-- The outbox: small, since messages leave it within seconds. Keyed by customer so
-- that "is an earlier message to this customer unfinished?" is one probe.
CREATE INDEX messages_outbox ON messages (appid, openid, id) WHERE status IN ('queued', 'sending');
-- Inbound media still to fetch. Ingest writes these rows without knowing of them.
CREATE INDEX messages_media_pending ON messages (next_attempt_at, id)
    WHERE direction = 'in' AND kind IN ('image', 'miniprogrampage') AND media_state = '';

-- Images as blobs (docs/architecture.md §5): WeChat caps them small, and one database keeps
-- backups and several nodes simple. media_key is random, so that a URL naming it
-- cannot be guessed from another.
CREATE TABLE media (
    media_key    TEXT PRIMARY KEY,
    appid        TEXT NOT NULL REFERENCES apps (appid) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);

-- The media_id under which WeChat holds one of our images, reused until it expires
-- (3 days), so an image sent twice is uploaded once.
CREATE TABLE media_uploads (
    appid      TEXT NOT NULL,
    media_key  TEXT NOT NULL REFERENCES media (media_key) ON DELETE CASCADE,
    media_id   TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (appid, media_key)
);

-- +goose Down
DROP TABLE media_uploads;
DROP TABLE media;
DROP INDEX messages_media_pending;
DROP INDEX messages_outbox;
ALTER TABLE messages DROP COLUMN media_state;
ALTER TABLE messages DROP COLUMN media_key;
ALTER TABLE messages DROP COLUMN err_reason;
ALTER TABLE messages DROP COLUMN err_code;
ALTER TABLE messages DROP COLUMN done_at;
ALTER TABLE messages DROP COLUMN next_attempt_at;
ALTER TABLE messages DROP COLUMN attempts;
ALTER TABLE messages DROP COLUMN status;
