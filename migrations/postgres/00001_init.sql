-- +goose Up
-- Router storage: hotspots heard, device registry, sessions, join nonces and
-- the data-transfer ledger. Times are timestamptz (microsecond precision);
-- EUIs, DevAddrs, keys and frame IDs are raw bytes.

CREATE TABLE hotspots (
    address    text        PRIMARY KEY,
    first_seen timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL
);

CREATE TABLE devices (
    dev_eui     bytea       PRIMARY KEY CHECK (octet_length(dev_eui) = 8),
    join_eui    bytea       NOT NULL CHECK (octet_length(join_eui) = 8),
    application text        NOT NULL,
    name        text        NOT NULL,
    mac_version text        NOT NULL,
    otaa        boolean     NOT NULL,
    app_key     bytea       NOT NULL CHECK (octet_length(app_key) = 16),
    nwk_key     bytea       NOT NULL CHECK (octet_length(nwk_key) = 16),
    created_at  timestamptz NOT NULL
);

CREATE INDEX devices_application ON devices (application, dev_eui);

CREATE TABLE device_sessions (
    dev_eui         bytea       PRIMARY KEY REFERENCES devices (dev_eui) ON DELETE CASCADE,
    dev_addr        bytea       NOT NULL CHECK (octet_length(dev_addr) = 4),
    f_nwk_s_int_key bytea       NOT NULL CHECK (octet_length(f_nwk_s_int_key) = 16),
    s_nwk_s_int_key bytea       NOT NULL CHECK (octet_length(s_nwk_s_int_key) = 16),
    nwk_s_enc_key   bytea       NOT NULL CHECK (octet_length(nwk_s_enc_key) = 16),
    app_s_key       bytea       NOT NULL CHECK (octet_length(app_s_key) = 16),
    fcnt_up         bigint      NOT NULL CHECK (fcnt_up BETWEEN 0 AND 4294967295),
    nfcnt_down      bigint      NOT NULL CHECK (nfcnt_down BETWEEN 0 AND 4294967295),
    afcnt_down      bigint      NOT NULL CHECK (afcnt_down BETWEEN 0 AND 4294967295),
    updated_at      timestamptz NOT NULL
);

CREATE INDEX device_sessions_dev_addr ON device_sessions (dev_addr);

CREATE TABLE dev_nonces (
    dev_eui bytea       NOT NULL REFERENCES devices (dev_eui) ON DELETE CASCADE,
    nonce   integer     NOT NULL CHECK (nonce BETWEEN 0 AND 65535),
    used_at timestamptz NOT NULL,
    PRIMARY KEY (dev_eui, nonce)
);

-- The ledger outlives devices: no foreign key to devices.
CREATE TABLE uplink_frames (
    id          bytea       PRIMARY KEY CHECK (octet_length(id) = 16),
    dev_eui     bytea       NOT NULL,
    dev_addr    bytea       NOT NULL,
    fcnt        bigint      NOT NULL,
    bytes       integer     NOT NULL,
    received_at timestamptz NOT NULL
);

CREATE INDEX uplink_frames_received_at ON uplink_frames (received_at);

CREATE TABLE uplink_copies (
    frame_id    bytea       NOT NULL REFERENCES uplink_frames (id) ON DELETE CASCADE,
    hotspot     text        NOT NULL,
    rssi        real        NOT NULL,
    snr         real        NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (frame_id, hotspot)
);

CREATE INDEX uplink_copies_received_at_hotspot ON uplink_copies (received_at, hotspot);

-- +goose Down
DROP TABLE uplink_copies;
DROP TABLE uplink_frames;
DROP TABLE dev_nonces;
DROP TABLE device_sessions;
DROP TABLE devices;
DROP TABLE hotspots;
