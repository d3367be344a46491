-- +goose Up
-- Oracle storage: the hotspot registry with its location history, signed
-- reports and their verdicts, challenge rounds, epochs with their manifests,
-- and reward transactions. Conventions as in 00001: INTEGER microseconds
-- since the Unix epoch (UTC), raw bytes as BLOBs, booleans as 0/1. Go's
-- uint64 values are INTEGER (signed 64-bit): H3 cells keep their 64-bit
-- pattern (a cell above 2^63 reads negative here); every other uint64 must
-- fit and is checked >= 0.

CREATE TABLE onboarded_hotspots (
    address      TEXT    PRIMARY KEY,
    owner        TEXT    NOT NULL,
    onboarded_at INTEGER NOT NULL,
    envelope     BLOB    NOT NULL,
    denied       INTEGER NOT NULL CHECK (denied IN (0, 1))
) STRICT;

CREATE INDEX onboarded_hotspots_owner ON onboarded_hotspots (owner);

-- The current location is the row with the highest nonce.
CREATE TABLE hotspot_locations (
    hotspot      TEXT    NOT NULL REFERENCES onboarded_hotspots (address),
    nonce        INTEGER NOT NULL CHECK (nonce >= 0),
    cell         INTEGER NOT NULL,
    gain_dbi_x10 INTEGER NOT NULL,
    elevation_m  INTEGER NOT NULL,
    region       TEXT    NOT NULL,
    asserted_at  INTEGER NOT NULL,
    envelope     BLOB    NOT NULL,
    PRIMARY KEY (hotspot, nonce)
) STRICT, WITHOUT ROWID;

-- No foreign key to onboarded_hotspots: reports are checked at ingest, and
-- an epoch of a million reports should not pay a lookup per row. A rowid
-- table, so that rows lie in arrival order for the epoch scan.
CREATE TABLE reports (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 32),
    kind        TEXT    NOT NULL CHECK (kind IN ('beacon', 'witness')),
    hotspot     TEXT    NOT NULL,
    epoch       INTEGER NOT NULL CHECK (epoch >= 0),
    round       INTEGER NOT NULL CHECK (round >= 0),
    payload     BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    envelope    BLOB    NOT NULL
) STRICT;

CREATE INDEX reports_epoch_received_at ON reports (epoch, received_at, id);
CREATE INDEX reports_hotspot_epoch ON reports (hotspot, epoch);

-- Written only when an epoch closes. No foreign key to reports, for the
-- same reason as above.
CREATE TABLE verdicts (
    report_id BLOB    PRIMARY KEY CHECK (length(report_id) = 32),
    epoch     INTEGER NOT NULL CHECK (epoch >= 0),
    kind      TEXT    NOT NULL CHECK (kind IN ('beacon', 'witness')),
    hotspot   TEXT    NOT NULL,
    beacon_id BLOB    NOT NULL CHECK (length(beacon_id) = 32),
    valid     INTEGER NOT NULL CHECK (valid IN (0, 1)),
    selected  INTEGER NOT NULL CHECK (selected IN (0, 1)),
    reason    TEXT    NOT NULL,
    detail    TEXT    NOT NULL
) STRICT;

CREATE INDEX verdicts_hotspot_epoch ON verdicts (hotspot, epoch);
CREATE INDEX verdicts_epoch ON verdicts (epoch);

-- revealed_at is NULL until the round is revealed.
CREATE TABLE rounds (
    number       INTEGER PRIMARY KEY CHECK (number >= 0),
    commitment   BLOB    NOT NULL,
    secret       BLOB    NOT NULL,
    public_mix   BLOB    NOT NULL,
    entropy      BLOB    NOT NULL,
    committed_at INTEGER NOT NULL,
    revealed_at  INTEGER
) STRICT;

CREATE TABLE challenges (
    round      INTEGER NOT NULL REFERENCES rounds (number),
    challengee TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    envelope   BLOB    NOT NULL,
    PRIMARY KEY (round, challengee)
) STRICT, WITHOUT ROWID;

-- closed_at is NULL while the epoch is open.
CREATE TABLE epochs (
    number    INTEGER PRIMARY KEY CHECK (number >= 0),
    start_at  INTEGER NOT NULL,
    end_at    INTEGER NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('open', 'closed', 'paid')),
    root      BLOB    NOT NULL,
    closed_at INTEGER
) STRICT;

CREATE TABLE manifest_entries (
    epoch   INTEGER NOT NULL REFERENCES epochs (number),
    hotspot TEXT    NOT NULL,
    owner   TEXT    NOT NULL,
    beacon  INTEGER NOT NULL CHECK (beacon >= 0),
    witness INTEGER NOT NULL CHECK (witness >= 0),
    data    INTEGER NOT NULL CHECK (data >= 0),
    total   INTEGER NOT NULL CHECK (total >= 0),
    PRIMARY KEY (epoch, hotspot)
) STRICT, WITHOUT ROWID;

-- entries: the paid hotspots' addresses as a JSON array of strings.
CREATE TABLE reward_txs (
    epoch                   INTEGER NOT NULL REFERENCES epochs (number),
    idx                     INTEGER NOT NULL CHECK (idx >= 0),
    attempt                 INTEGER NOT NULL CHECK (attempt >= 0),
    signature               TEXT    NOT NULL,
    raw                     BLOB    NOT NULL,
    last_valid_block_height INTEGER NOT NULL CHECK (last_valid_block_height >= 0),
    entries                 TEXT    NOT NULL CHECK (json_valid(entries)),
    status                  TEXT    NOT NULL CHECK (status IN ('signed', 'sent', 'confirmed', 'failed', 'expired')),
    err                     TEXT    NOT NULL,
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (epoch, idx)
) STRICT, WITHOUT ROWID;

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
