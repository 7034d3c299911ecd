-- One row that readiness checks rewrite: a write that commits is the only proof
-- that the database can take pushes now (not full, not read-only).

-- +goose Up
CREATE TABLE ready_probe (
    id         INTEGER PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
INSERT INTO ready_probe (id, checked_at) VALUES (1, 0);

-- +goose Down
DROP TABLE ready_probe;
