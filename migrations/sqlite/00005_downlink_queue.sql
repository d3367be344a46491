-- +goose Up
-- Device downlink queues: the application payloads waiting for a device,
-- kept in the store so that they outlive a router restart and move with the
-- device's uplink shard to another router instance. seq orders the queue.
-- attempts counts transmissions a hotspot reported; fcnt and sent_at are
-- those of the latest, NULL before the first. A confirmed item stays until
-- the device acknowledges it or the router gives up; an unconfirmed one
-- leaves once transmitted. Conventions as in 00001; id is the item's UUID
-- in its canonical text form.

CREATE TABLE downlink_queue (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE CHECK (length(id) = 36),
    dev_eui    BLOB    NOT NULL REFERENCES devices (dev_eui) ON DELETE CASCADE,
    f_port     INTEGER NOT NULL CHECK (f_port BETWEEN 1 AND 223),
    data       BLOB    NOT NULL,
    confirmed  INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    fcnt       INTEGER CHECK (fcnt BETWEEN 0 AND 4294967295),
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    CHECK ((attempts = 0) = (fcnt IS NULL) AND (fcnt IS NULL) = (sent_at IS NULL))
) STRICT;

CREATE INDEX downlink_queue_dev_eui ON downlink_queue (dev_eui, seq);

-- +goose Down
DROP TABLE downlink_queue;
