-- A2A tasks (package a2a, DESIGN §7a) in two b-trees instead of five, so a
-- send that opens a task writes little more than POST /api/agent does
-- (docs/a2a.md#storage):
--   * a2a_tasks is keyed by (key_id, id), clustered on SQLite (WITHOUT
--     ROWID; on PostgreSQL the primary key's index): every read of a task
--     is its owner key's, and ListTasks walks it newest first (ids are
--     ULIDs, in creation order);
--   * a2a_tasks_message (key_id, message_id) is kept: the messageId claim;
--   * a turn names its task (turns.task_id, NULL for a turn sent over
--     REST), so the task of a stopped turn and the tasks of a context are
--     found through the turns' primary key: a2a_tasks_turn and
--     a2a_tasks_key go. Of the turns before this migration, each task's
--     first and latest turn are marked: the ones those lookups read (an
--     answered question's turns between them stay NULL, and so does any
--     turn sent over REST among them).
-- a2a_messages and a2a_push_configs are rebuilt without their foreign key
-- to a2a_tasks(id), which is no longer unique on its own (package a2a
-- writes them only for a task of the same key), and a2a_tasks.workspace_id
-- without one to workspaces: it is the key's workspace, and the same
-- accept writes the conversation, whose foreign keys check it (on
-- PostgreSQL each foreign key is one more query per row). Rows are kept
-- as they are.

ALTER TABLE turns ADD COLUMN task_id TEXT;
UPDATE turns SET task_id = t.id FROM a2a_tasks t
    WHERE t.conversation_id = turns.conversation_id AND turns.turn IN (t.first_turn, t.turn);

CREATE TABLE a2a_tasks_v2 (
    id              TEXT NOT NULL,
    workspace_id    TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    first_turn      INTEGER NOT NULL,
    turn            INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    message_id      TEXT,
    request_hash    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (key_id, id)
) WITHOUT ROWID;
INSERT INTO a2a_tasks_v2 (id, workspace_id, key_id, conversation_id, first_turn, turn, created_at, updated_at, message_id, request_hash)
    SELECT id, workspace_id, key_id, conversation_id, first_turn, turn, created_at, updated_at, message_id, request_hash FROM a2a_tasks;

CREATE TABLE a2a_messages_v2 (
    key_id       TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    task_id      TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (key_id, message_id)
);
INSERT INTO a2a_messages_v2 (key_id, message_id, task_id, request_hash, created_at)
    SELECT key_id, message_id, task_id, request_hash, created_at FROM a2a_messages;

CREATE TABLE a2a_push_configs_v2 (
    task_id          TEXT NOT NULL,
    id               TEXT NOT NULL,
    url              TEXT NOT NULL,
    token            TEXT NOT NULL DEFAULT '',
    auth_scheme      TEXT NOT NULL DEFAULT '',
    auth_credentials TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    secrets_enc      BLOB,
    PRIMARY KEY (task_id, id)
);
INSERT INTO a2a_push_configs_v2 (task_id, id, url, token, auth_scheme, auth_credentials, created_at, secrets_enc)
    SELECT task_id, id, url, token, auth_scheme, auth_credentials, created_at, secrets_enc FROM a2a_push_configs;

DROP TABLE a2a_push_configs;
DROP TABLE a2a_messages;
DROP TABLE a2a_tasks;
ALTER TABLE a2a_tasks_v2 RENAME TO a2a_tasks;
ALTER TABLE a2a_messages_v2 RENAME TO a2a_messages;
ALTER TABLE a2a_push_configs_v2 RENAME TO a2a_push_configs;
CREATE UNIQUE INDEX a2a_tasks_message ON a2a_tasks (key_id, message_id);
