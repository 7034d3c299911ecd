-- The URL signature a push to a plaintext-mode app came with. That signature does
-- not cover the body, so a URL seen once must not carry another document
-- (docs/decisions.md, "Replayed push URLs"): the unique index makes a signature
-- stand for one stored message, on every node and for good. Pushes in the other
-- modes leave it NULL and cost the partial index nothing.

-- +goose Up
ALTER TABLE messages ADD COLUMN url_signature TEXT;
CREATE UNIQUE INDEX messages_url_signature ON messages (appid, url_signature) WHERE url_signature IS NOT NULL;

-- +goose Down
DROP INDEX messages_url_signature;
ALTER TABLE messages DROP COLUMN url_signature;
