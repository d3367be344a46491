-- +goose Up
-- Oracle storage: the hotspot registry with its location history, signed
-- reports and their verdicts, challenge rounds, epochs with their manifests,
-- and reward transactions. Conventions as in 00001: timestamptz at
-- microsecond precision, raw bytes as bytea. Go's uint64 values are bigint:
-- H3 cells keep their 64-bit pattern (a cell above 2^63 reads negative
-- here); every other uint64 must fit in bigint and is checked >= 0.

CREATE TABLE onboarded_hotspots (
    address      text        PRIMARY KEY,
    owner        text        NOT NULL,
    onboarded_at timestamptz NOT NULL,
    envelope     bytea       NOT NULL,
    denied       boolean     NOT NULL
);

CREATE INDEX onboarded_hotspots_owner ON onboarded_hotspots (owner);

-- The current location is the row with the highest nonce.
CREATE TABLE hotspot_locations (
    hotspot      text        NOT NULL REFERENCES onboarded_hotspots (address),
    nonce        bigint      NOT NULL CHECK (nonce >= 0),
    cell         bigint      NOT NULL,
    gain_dbi_x10 integer     NOT NULL,
    elevation_m  integer     NOT NULL,
    region       text        NOT NULL,
    asserted_at  timestamptz NOT NULL,
    envelope     bytea       NOT NULL,
    PRIMARY KEY (hotspot, nonce)
);

-- No foreign key to onboarded_hotspots: reports are checked at ingest, and
-- an epoch of a million reports should not pay a lookup per row.
CREATE TABLE reports (
    id          bytea       PRIMARY KEY CHECK (octet_length(id) = 32),
    kind        text        NOT NULL CHECK (kind IN ('beacon', 'witness')),
    hotspot     text        NOT NULL,
    epoch       bigint      NOT NULL CHECK (epoch >= 0),
    round       bigint      NOT NULL CHECK (round >= 0),
    payload     bytea       NOT NULL,
    received_at timestamptz NOT NULL,
    envelope    bytea       NOT NULL
);

CREATE INDEX reports_epoch_received_at ON reports (epoch, received_at, id);
CREATE INDEX reports_hotspot_epoch ON reports (hotspot, epoch);

-- Written only when an epoch closes. No foreign key to reports, for the
-- same reason as above.
CREATE TABLE verdicts (
    report_id bytea   PRIMARY KEY CHECK (octet_length(report_id) = 32),
    epoch     bigint  NOT NULL CHECK (epoch >= 0),
    kind      text    NOT NULL CHECK (kind IN ('beacon', 'witness')),
    hotspot   text    NOT NULL,
    beacon_id bytea   NOT NULL CHECK (octet_length(beacon_id) = 32),
    valid     boolean NOT NULL,
    selected  boolean NOT NULL,
    reason    text    NOT NULL,
    detail    text    NOT NULL
);

CREATE INDEX verdicts_hotspot_epoch ON verdicts (hotspot, epoch);
CREATE INDEX verdicts_epoch ON verdicts (epoch);

-- revealed_at is NULL until the round is revealed.
CREATE TABLE rounds (
    number       bigint      PRIMARY KEY CHECK (number >= 0),
    commitment   bytea       NOT NULL,
    secret       bytea       NOT NULL,
    public_mix   bytea       NOT NULL,
    entropy      bytea       NOT NULL,
    committed_at timestamptz NOT NULL,
    revealed_at  timestamptz
);

CREATE TABLE challenges (
    round      bigint      NOT NULL REFERENCES rounds (number),
    challengee text        NOT NULL,
    issued_at  timestamptz NOT NULL,
    envelope   bytea       NOT NULL,
    PRIMARY KEY (round, challengee)
);

-- closed_at is NULL while the epoch is open.
CREATE TABLE epochs (
    number    bigint      PRIMARY KEY CHECK (number >= 0),
    start_at  timestamptz NOT NULL,
    end_at    timestamptz NOT NULL,
    status    text        NOT NULL CHECK (status IN ('open', 'closed', 'paid')),
    root      bytea       NOT NULL,
    closed_at timestamptz
);

CREATE TABLE manifest_entries (
    epoch   bigint NOT NULL REFERENCES epochs (number),
    hotspot text   NOT NULL,
    owner   text   NOT NULL,
    beacon  bigint NOT NULL CHECK (beacon >= 0),
    witness bigint NOT NULL CHECK (witness >= 0),
    data    bigint NOT NULL CHECK (data >= 0),
    total   bigint NOT NULL CHECK (total >= 0),
    PRIMARY KEY (epoch, hotspot)
);

CREATE TABLE reward_txs (
    epoch                   bigint      NOT NULL REFERENCES epochs (number),
    idx                     integer     NOT NULL CHECK (idx >= 0),
    attempt                 integer     NOT NULL CHECK (attempt >= 0),
    signature               text        NOT NULL,
    raw                     bytea       NOT NULL,
    last_valid_block_height bigint      NOT NULL CHECK (last_valid_block_height >= 0),
    entries                 text[]      NOT NULL,
    status                  text        NOT NULL CHECK (status IN ('signed', 'sent', 'confirmed', 'failed', 'expired')),
    err                     text        NOT NULL,
    updated_at              timestamptz NOT NULL,
    PRIMARY KEY (epoch, idx)
);

-- +goose Down
DROP TABLE reward_txs;
DROP TABLE manifest_entries;
DROP TABLE epochs;
DROP TABLE challenges;
DROP TABLE rounds;
DROP TABLE verdicts;
DROP TABLE reports;
DROP TABLE hotspot_locations;
DROP TABLE onboarded_hotspots;
