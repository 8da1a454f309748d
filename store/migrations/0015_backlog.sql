-- The node's backlog (node/backlog.go): the queued turns, oldest first.
-- Partial, so it holds only the turns waiting to start and the accept
-- path's backlog check reads a few entries, not the whole table.
CREATE INDEX turns_queued ON turns (created_at) WHERE status = 'queued';
