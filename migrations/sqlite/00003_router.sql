-- +goose Up
-- Router management: organisations with their data-credit balances and the
-- history of every change (funding, per-frame charges), applications that
-- belong to an organisation, and routes. Conventions as in 00001.
--
-- devices.application has no foreign key to applications: a device of an
-- application without a record is delivered unmetered (the devnet's).

CREATE TABLE organisations (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    balance_dc INTEGER NOT NULL DEFAULT 0 CHECK (balance_dc >= 0),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE applications (
    id           TEXT    PRIMARY KEY,
    organisation TEXT    NOT NULL REFERENCES organisations (id),
    name         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX applications_organisation ON applications (organisation, id);

-- DevAddr ranges and EUI pairs are JSON arrays of hex strings
-- ([{"first":"26010000","last":"2601ffff"}], [{"join_eui":"…","dev_eui":"…"}]):
-- routes are few and matched in memory.
CREATE TABLE routes (
    id             TEXT    PRIMARY KEY,
    organisation   TEXT    NOT NULL REFERENCES organisations (id),
    net_id         BLOB    NOT NULL CHECK (length(net_id) = 3),
    devaddr_ranges TEXT    NOT NULL,
    eui_pairs      TEXT    NOT NULL,
    max_copies     INTEGER NOT NULL CHECK (max_copies >= 0),
    destination    TEXT    NOT NULL CHECK (destination IN ('builtin', 'gwmp')),
    gwmp_address   TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX routes_organisation ON routes (organisation, id);

-- One row per balance change; frame_id is set for charges (once per frame
-- and organisation) and NULL for funding.
CREATE TABLE credit_entries (
    seq          INTEGER PRIMARY KEY,
    organisation TEXT    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    amount_dc    INTEGER NOT NULL,
    frame_id     BLOB    CHECK (frame_id IS NULL OR length(frame_id) = 16),
    at           INTEGER NOT NULL,
    UNIQUE (organisation, frame_id)
) STRICT;

-- +goose Down
DROP TABLE credit_entries;
DROP TABLE routes;
DROP TABLE applications;
DROP TABLE organisations;
