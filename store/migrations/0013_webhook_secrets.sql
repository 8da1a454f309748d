-- Integration keys' Standard Webhooks secrets (package webhook, secret.go).
-- Dialect-neutral: BLOB becomes BYTEA on PostgreSQL; times are unix microseconds.

-- secret_enc is the raw secret sealed with AES-256-GCM under the
-- key-encryption key (SOIS_MASTER_KEY or the data folder's master.key),
-- bound to "whsec:<key_id>:<id>". expires_at 0 = the key's current secret;
-- a rotated-out secret keeps signing until expires_at. Keys created before
-- this table have no row: their deliveries carry v1a only until
-- `soisnode keys rotate-secret ID` gives them a secret.
CREATE TABLE webhook_secrets (
    id         TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL REFERENCES api_keys(id),
    secret_enc BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_secrets_key ON webhook_secrets (key_id, expires_at);
