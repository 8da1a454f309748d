-- A2A tasks (package a2a, DESIGN §7a). A task is a turn of a conversation
-- and the turns that answer it while it asks for input: first_turn is the
-- turn that opened it, turn the latest. It belongs to the workspace and
-- integration key that sent it; another key never sees it.
-- a2a_messages maps an A2A messageId (per key) to the task it made or
-- answered, so a resent message returns the same task; request_hash
-- refuses a reused messageId with a different message. It is written
-- first in the sending transaction (task_id is then not yet a task).
-- a2a_push_configs are the push-notification configs of a task: token is
-- sent as A2A-Notification-Token, auth_scheme/auth_credentials as the
-- Authorization header the receiver asked for. a2a_push_headers holds, per
-- queued webhook delivery, the headers those configs add to it.
-- Times are unix microseconds.

CREATE TABLE a2a_tasks (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    key_id          TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    first_turn      INTEGER NOT NULL,
    turn            INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX a2a_tasks_key ON a2a_tasks (workspace_id, key_id, created_at);
CREATE INDEX a2a_tasks_turn ON a2a_tasks (conversation_id, turn);

CREATE TABLE a2a_messages (
    key_id       TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    task_id      TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (key_id, message_id)
);

CREATE TABLE a2a_push_configs (
    task_id          TEXT NOT NULL REFERENCES a2a_tasks(id),
    id               TEXT NOT NULL,
    url              TEXT NOT NULL,
    token            TEXT NOT NULL DEFAULT '',
    auth_scheme      TEXT NOT NULL DEFAULT '',
    auth_credentials TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (task_id, id)
);

CREATE TABLE a2a_push_headers (
    delivery_id TEXT PRIMARY KEY,
    headers     TEXT NOT NULL
);
