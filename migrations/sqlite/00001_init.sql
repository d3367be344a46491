-- +goose Up
-- Router storage: hotspots heard, device registry, sessions, join nonces and
-- the data-transfer ledger. Times are INTEGER microseconds since the Unix
-- epoch (UTC): the same precision as PostgreSQL's timestamptz, and wide enough
-- for time.Time's zero value. EUIs, DevAddrs, keys and frame IDs are BLOBs.

CREATE TABLE hotspots (
    address    TEXT    PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
    dev_eui     BLOB    PRIMARY KEY CHECK (length(dev_eui) = 8),
    join_eui    BLOB    NOT NULL CHECK (length(join_eui) = 8),
    application TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    mac_version TEXT    NOT NULL,
    otaa        INTEGER NOT NULL CHECK (otaa IN (0, 1)),
    app_key     BLOB    NOT NULL CHECK (length(app_key) = 16),
    nwk_key     BLOB    NOT NULL CHECK (length(nwk_key) = 16),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX devices_application ON devices (application, dev_eui);

CREATE TABLE device_sessions (
    dev_eui         BLOB    PRIMARY KEY REFERENCES devices (dev_eui) ON DELETE CASCADE,
    dev_addr        BLOB    NOT NULL CHECK (length(dev_addr) = 4),
    f_nwk_s_int_key BLOB    NOT NULL CHECK (length(f_nwk_s_int_key) = 16),
    s_nwk_s_int_key BLOB    NOT NULL CHECK (length(s_nwk_s_int_key) = 16),
    nwk_s_enc_key   BLOB    NOT NULL CHECK (length(nwk_s_enc_key) = 16),
    app_s_key       BLOB    NOT NULL CHECK (length(app_s_key) = 16),
    fcnt_up         INTEGER NOT NULL CHECK (fcnt_up BETWEEN 0 AND 4294967295),
    nfcnt_down      INTEGER NOT NULL CHECK (nfcnt_down BETWEEN 0 AND 4294967295),
    afcnt_down      INTEGER NOT NULL CHECK (afcnt_down BETWEEN 0 AND 4294967295),
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX device_sessions_dev_addr ON device_sessions (dev_addr);

CREATE TABLE dev_nonces (
    dev_eui BLOB    NOT NULL REFERENCES devices (dev_eui) ON DELETE CASCADE,
    nonce   INTEGER NOT NULL CHECK (nonce BETWEEN 0 AND 65535),
    used_at INTEGER NOT NULL,
    PRIMARY KEY (dev_eui, nonce)
) STRICT, WITHOUT ROWID;

-- The ledger outlives devices: no foreign key to devices.
CREATE TABLE uplink_frames (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 16),
    dev_eui     BLOB    NOT NULL,
    dev_addr    BLOB    NOT NULL,
    fcnt        INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

CREATE INDEX uplink_frames_received_at ON uplink_frames (received_at);

CREATE TABLE uplink_copies (
    frame_id    BLOB    NOT NULL REFERENCES uplink_frames (id) ON DELETE CASCADE,
    hotspot     TEXT    NOT NULL,
    rssi        REAL    NOT NULL,
    snr         REAL    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (frame_id, hotspot)
) STRICT, WITHOUT ROWID;

CREATE INDEX uplink_copies_received_at_hotspot ON uplink_copies (received_at, hotspot);

-- +goose Down
DROP TABLE uplink_copies;
DROP TABLE uplink_frames;
DROP TABLE dev_nonces;
DROP TABLE device_sessions;
DROP TABLE devices;
DROP TABLE hotspots;
