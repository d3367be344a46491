-- +goose Up
-- Organisation API keys of the router's management API. Only the SHA-256
-- of a key's secret is kept (the secret is shown once, at creation); the
-- keys go with their organisation.

CREATE TABLE api_keys (
    id           TEXT    PRIMARY KEY,
    organisation TEXT    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    secret_hash  BLOB    NOT NULL CHECK (length(secret_hash) = 32),
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX api_keys_organisation ON api_keys (organisation, id);

-- +goose Down
DROP TABLE api_keys;
