-- Signing keys and durable webhook deliveries (packages signing and webhook).
-- Dialect-neutral: BLOB becomes BYTEA on PostgreSQL; times are unix microseconds.

-- retire_at 0 = the active key; a retired key stays in the JWKS until expires_at.
-- private_enc is the Ed25519 seed sealed with AES-256-GCM under the
-- key-encryption key (SOIS_MASTER_KEY or the data folder's master.key).
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL DEFAULT 'EdDSA',
    public_key  BLOB NOT NULL,
    private_enc BLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    retire_at   BIGINT NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL DEFAULT 0
);

-- One row per event to deliver; id is the delivery id receivers de-duplicate on.
-- status: pending, delivered, dead (schedule exhausted), disabled (410 Gone).
-- attempts counts the current schedule (reset by redelivery); attempt_total
-- numbers delivery_attempts rows. locked_until/locked_by lease a row to one
-- dispatcher while it sends.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    key_id          TEXT NOT NULL DEFAULT '',
    event           TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            BLOB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    attempt_total   INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT NOT NULL DEFAULT 0,
    locked_by       TEXT NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_workspace ON deliveries (workspace_id, status, id);
CREATE INDEX deliveries_target ON deliveries (workspace_id, url, status);

-- Every attempt: HTTP status (0 when none), latency, the first KiB of the
-- response, and the transport error if any.
CREATE TABLE delivery_attempts (
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    latency_ms  BIGINT NOT NULL DEFAULT 0,
    response    TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- Targets that answered 410 Gone: nothing more is sent to them until an
-- admin redelivers to them or the response_url is saved again.
CREATE TABLE webhook_disabled_urls (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    url          TEXT NOT NULL,
    delivery_id  TEXT NOT NULL DEFAULT '',
    at           BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, url)
);
