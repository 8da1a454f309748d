-- Installed extensions: remote MCP servers whose tools a workspace offers as
-- ext_<name>_<tool>. The url may carry credentials (userinfo or a token in
-- the query): it is never logged or shown, only its host.

CREATE TABLE extensions (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    url          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);
