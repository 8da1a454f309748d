-- Tenancy, credentials, conversations and the spend ledger.
-- Dialect-neutral: BLOB becomes BYTEA on PostgreSQL; times are unix microseconds.

CREATE TABLE node_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL DEFAULT ''
);

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE members (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, email)
);

CREATE TABLE access_tokens (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    name         TEXT NOT NULL DEFAULT '',
    hash         TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE api_keys (
    id                TEXT PRIMARY KEY,
    workspace_id      TEXT NOT NULL REFERENCES workspaces(id),
    name              TEXT NOT NULL DEFAULT '',
    hash              TEXT NOT NULL UNIQUE,
    scopes            TEXT NOT NULL DEFAULT '[]',
    response_url      TEXT NOT NULL DEFAULT '',
    budget_daily      BIGINT NOT NULL DEFAULT -1,  -- micro-USD; -1 = no budget
    budget_monthly    BIGINT NOT NULL DEFAULT -1,
    budget_total      BIGINT NOT NULL DEFAULT -1,
    threshold_percent INTEGER NOT NULL DEFAULT 80,
    created_at        BIGINT NOT NULL,
    revoked_at        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE conversations (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    key_id       TEXT NOT NULL REFERENCES api_keys(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    status       TEXT NOT NULL,
    turn_count   INTEGER NOT NULL DEFAULT 0,
    reply        TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    signed_reply TEXT NOT NULL DEFAULT '',
    cost         BIGINT NOT NULL DEFAULT 0,
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX conversations_key ON conversations (key_id, created_at);
CREATE INDEX conversations_status ON conversations (key_id, status, created_at);

CREATE TABLE turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    turn            INTEGER NOT NULL,
    message         TEXT NOT NULL,
    reply           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    error           TEXT NOT NULL DEFAULT '',
    actions         TEXT NOT NULL DEFAULT '[]',
    cost            BIGINT NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    started_at      BIGINT NOT NULL DEFAULT 0,
    finished_at     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, turn)
);

-- Every model call and every tool call of a turn, written in the same
-- transaction as its effects, so a resumed turn replays instead of redoing.
CREATE TABLE turn_steps (
    conversation_id TEXT NOT NULL,
    turn            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL,     -- "model" or "tool"
    payload         TEXT NOT NULL,     -- JSON agent.Message
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, turn, seq)
);

CREATE TABLE idempotency_keys (
    key_id          TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    turn            INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);

CREATE TABLE ledger (
    id                TEXT PRIMARY KEY,
    workspace_id      TEXT NOT NULL,
    key_id            TEXT NOT NULL,
    conversation_id   TEXT NOT NULL DEFAULT '',
    turn              INTEGER NOT NULL DEFAULT 0,
    model             TEXT NOT NULL,
    input_tokens      BIGINT NOT NULL DEFAULT 0,
    cached_tokens     BIGINT NOT NULL DEFAULT 0,
    output_tokens     BIGINT NOT NULL DEFAULT 0,
    cost              BIGINT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX ledger_key_time ON ledger (key_id, created_at);
