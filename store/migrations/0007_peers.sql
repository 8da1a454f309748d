-- The peer registry (package peers, DESIGN §7): other nodes a workspace
-- trusts, with the signing keys pinned when the operator confirmed them and
-- the inbound policy their requests run under.
-- jwks is the pinned public JWKS (only its Ed25519 signing keys, as JSON);
-- fingerprint is what the operator compared when pinning; scopes is a JSON
-- array of tool scopes; max_usd is the per-exchange cap in micro-dollars.

CREATE TABLE peers (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    node_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    base_url     TEXT NOT NULL,
    jwks         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    scopes       TEXT NOT NULL DEFAULT '[]',
    max_usd      BIGINT NOT NULL DEFAULT 0,
    max_turns    INTEGER NOT NULL DEFAULT 10,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, node_id)
);
