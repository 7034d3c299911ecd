-- The desk asks at every new conversation who takes work automatically now: the
-- few agents online with auto-accept on. This index holds only those, so that
-- the answer does not cost a scan of every agent.

-- +goose Up
CREATE INDEX agents_taking_work ON agents (id) WHERE status = 'online' AND auto_accept AND NOT disabled;

-- +goose Down
DROP INDEX agents_taking_work;
