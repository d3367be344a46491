-- +goose Up
-- Application integrations: an HTTP webhook that receives every event
-- (signed with HMAC-SHA256 under webhook_secret when it is set) and the
-- payload codec of up events ('' none, 'cayenne' Cayenne LPP).

ALTER TABLE applications ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN codec TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE applications DROP COLUMN codec;
ALTER TABLE applications DROP COLUMN webhook_secret;
ALTER TABLE applications DROP COLUMN webhook_url;
