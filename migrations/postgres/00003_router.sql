-- +goose Up
-- Router management: organisations with their data-credit balances and the
-- history of every change (funding, per-frame charges), applications that
-- belong to an organisation, and routes. Conventions as in 00001.
--
-- devices.application has no foreign key to applications: a device of an
-- application without a record is delivered unmetered (the devnet's).

CREATE TABLE organisations (
    id         text        PRIMARY KEY,
    name       text        NOT NULL,
    balance_dc bigint      NOT NULL DEFAULT 0 CHECK (balance_dc >= 0),
    created_at timestamptz NOT NULL
);

CREATE TABLE applications (
    id           text        PRIMARY KEY,
    organisation text        NOT NULL REFERENCES organisations (id),
    name         text        NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE INDEX applications_organisation ON applications (organisation, id);

-- DevAddr ranges and EUI pairs are JSON arrays of hex strings
-- ([{"first":"26010000","last":"2601ffff"}], [{"join_eui":"…","dev_eui":"…"}]):
-- routes are few and matched in memory.
CREATE TABLE routes (
    id             text        PRIMARY KEY,
    organisation   text        NOT NULL REFERENCES organisations (id),
    net_id         bytea       NOT NULL CHECK (octet_length(net_id) = 3),
    devaddr_ranges jsonb       NOT NULL,
    eui_pairs      jsonb       NOT NULL,
    max_copies     integer     NOT NULL CHECK (max_copies >= 0),
    destination    text        NOT NULL CHECK (destination IN ('builtin', 'gwmp')),
    gwmp_address   text        NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE INDEX routes_organisation ON routes (organisation, id);

-- One row per balance change; frame_id is set for charges (once per frame
-- and organisation) and NULL for funding.
CREATE TABLE credit_entries (
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation text        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    amount_dc    bigint      NOT NULL,
    frame_id     bytea       CHECK (frame_id IS NULL OR octet_length(frame_id) = 16),
    at           timestamptz NOT NULL,
    UNIQUE (organisation, frame_id)
);

-- +goose Down
DROP TABLE credit_entries;
DROP TABLE routes;
DROP TABLE applications;
DROP TABLE organisations;
