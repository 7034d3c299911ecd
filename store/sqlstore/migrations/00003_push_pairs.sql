-- The signed (timestamp, nonce) pairs of pushes to plaintext-mode apps, each with a
-- hash of the body it came with: a URL seen once must not carry another body
-- (docs/decisions.md, "Replayed push URLs"). Rows older than the timestamp window
-- are pruned, so the table holds a few minutes of pushes.

-- +goose Up
CREATE TABLE push_pairs (
    appid     TEXT NOT NULL REFERENCES apps (appid) ON DELETE CASCADE,
    ts        BIGINT NOT NULL,
    nonce     TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    seen_at   BIGINT NOT NULL,
    PRIMARY KEY (appid, ts, nonce)
);

-- +goose Down
DROP TABLE push_pairs;
