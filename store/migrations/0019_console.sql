-- The browser console's sign-in (package console). Dialect-neutral; times
-- are unix microseconds.

-- A signed-in browser. id is the SHA-256 (hex) of the cookie's value, so a
-- copy of this table signs nobody in. csrf is the session's synchronizer
-- token, echoed in every form. A session ends at expires_at (absolute) or
-- when last_seen_at is older than the idle timeout, whichever comes first.
CREATE TABLE console_sessions (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- One-time sign-in links printed by `soisnode console`: hash is the SHA-256
-- (hex) of the link's secret; used_at 0 until the link is spent.
CREATE TABLE console_links (
    hash         TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT NOT NULL DEFAULT 0
);

-- The console lists a workspace's conversations across its keys.
CREATE INDEX conversations_workspace ON conversations (workspace_id, created_at);
