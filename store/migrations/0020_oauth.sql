-- OAuth 2.1 for /mcp (package oauth, DESIGN §10): the node is its own
-- authorization server for hosted assistants' connectors.
-- oauth_clients are registered clients (RFC 7591) or clients known by a
-- client ID metadata document (id is then its https URL); secret_hash is
-- empty for public clients. redirect_uris is a JSON array, matched exactly.
-- oauth_grants are a member's consent: client X may act on /mcp as member M
-- through integration key K. Every code, access and refresh token belongs
-- to one grant; revoking the grant (the console, a reused code or refresh
-- token) revokes them all at once. exchanged_at is set when its code is
-- first exchanged: until then the grant is not a connected assistant.
-- oauth_codes and oauth_tokens store only SHA-256 hashes of the secrets.
-- Times are unix microseconds; 0 means never.

CREATE TABLE oauth_clients (
    id            TEXT PRIMARY KEY,
    secret_hash   TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    auth_method   TEXT NOT NULL,
    metadata      TEXT NOT NULL DEFAULT '{}',
    created_at    BIGINT NOT NULL
);

CREATE TABLE oauth_grants (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    key_id       TEXT NOT NULL REFERENCES api_keys(id),
    client_id    TEXT NOT NULL REFERENCES oauth_clients(id),
    resource     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    exchanged_at BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX oauth_grants_workspace ON oauth_grants (workspace_id, created_at);

CREATE TABLE oauth_codes (
    hash           TEXT PRIMARY KEY,
    grant_id       TEXT NOT NULL REFERENCES oauth_grants(id),
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE oauth_tokens (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    grant_id   TEXT NOT NULL REFERENCES oauth_grants(id),
    client_id  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0,
    revoked_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
