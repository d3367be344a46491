-- +goose Up
-- Device downlink queues: the application payloads waiting for a device,
-- kept in the store so that they outlive a router restart and move with the
-- device's uplink shard to another router instance. seq orders the queue.
-- attempts counts transmissions a hotspot reported; fcnt and sent_at are
-- those of the latest, NULL before the first. A confirmed item stays until
-- the device acknowledges it or the router gives up; an unconfirmed one
-- leaves once transmitted. Conventions as in 00001.

CREATE TABLE downlink_queue (
    seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         uuid        NOT NULL UNIQUE,
    dev_eui    bytea       NOT NULL REFERENCES devices (dev_eui) ON DELETE CASCADE,
    f_port     smallint    NOT NULL CHECK (f_port BETWEEN 1 AND 223),
    data       bytea       NOT NULL,
    confirmed  boolean     NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    fcnt       bigint      CHECK (fcnt BETWEEN 0 AND 4294967295),
    created_at timestamptz NOT NULL,
    sent_at    timestamptz,
    CHECK ((attempts = 0) = (fcnt IS NULL) AND (fcnt IS NULL) = (sent_at IS NULL))
);

CREATE INDEX downlink_queue_dev_eui ON downlink_queue (dev_eui, seq);

-- +goose Down
DROP TABLE downlink_queue;
