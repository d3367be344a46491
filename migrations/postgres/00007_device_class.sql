-- +goose Up
-- A device's LoRaWAN class: '' or 'A' (downlinks after its uplinks), 'C'
-- (downlinks at once, through the hotspot that heard it last).
ALTER TABLE devices ADD COLUMN class TEXT NOT NULL DEFAULT '' CHECK (class IN ('', 'A', 'C'));

-- +goose Down
ALTER TABLE devices DROP COLUMN class;
