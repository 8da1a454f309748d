-- The messageId that opens an A2A task (package a2a, DESIGN §7a) is kept
-- on the task row, so a send that starts a task writes one row instead of
-- two (the task, and its a2a_messages record): the unique index below is
-- what makes a resent messageId find its task, per integration key.
-- request_hash is that message's hash, to refuse a reused messageId with
-- a different message. a2a_messages keeps the messageIds of messages that
-- answer a task asking for input, and every record written before this
-- migration (tasks from then have message_id NULL, which the unique index
-- does not compare); a messageId is looked up in both.
ALTER TABLE a2a_tasks ADD COLUMN message_id TEXT;
ALTER TABLE a2a_tasks ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX a2a_tasks_message ON a2a_tasks (key_id, message_id);
