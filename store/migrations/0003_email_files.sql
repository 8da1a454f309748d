-- Workspace files and the email outbox.
-- File content lives in the database (BLOB, BYTEA on PostgreSQL) so every
-- node sharing one database serves the same files.

CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    parent_id    TEXT NOT NULL DEFAULT '',   -- '' = the workspace's root folder
    kind         TEXT NOT NULL,              -- 'folder' or 'file'
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    size         BIGINT NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    content      BLOB NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
-- Names are unique per folder, ignoring case. The code checks first, in the
-- same transaction, to give a clear error; the index settles races.
CREATE UNIQUE INDEX files_folder_name ON files (workspace_id, parent_id, lower(name));
CREATE INDEX files_listing ON files (workspace_id, parent_id, kind, name, id);

CREATE TABLE emails (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL REFERENCES workspaces(id),
    sender_member_id TEXT NOT NULL DEFAULT '',
    from_addr        TEXT NOT NULL DEFAULT '',
    to_addrs         TEXT NOT NULL DEFAULT '[]',  -- JSON array of addresses
    cc_addrs         TEXT NOT NULL DEFAULT '[]',
    subject          TEXT NOT NULL DEFAULT '',
    body             TEXT NOT NULL DEFAULT '',
    attachments      TEXT NOT NULL DEFAULT '[]',  -- JSON [{file_id, name, size}]
    status           TEXT NOT NULL,               -- 'sent', 'not_sent: …', 'failed: …'
    error            TEXT NOT NULL DEFAULT '',
    message_id       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX emails_workspace ON emails (workspace_id, id);
