-- The negotiation exchange (package negotiation, DESIGN §7): each side's
-- copy of an exchange now records which side it is (role: opener or
-- responder), who acts for the opener (key_id, member_id; '' on the
-- responder, whose tools are limited to the peer's policy), when the
-- exchange expires (deadline_at, unix microseconds) and the receipts of
-- what this side did locally (actions, a JSON array of receipts: records
-- imported, each with its ref).

ALTER TABLE negotiations ADD COLUMN role TEXT NOT NULL DEFAULT 'opener';
ALTER TABLE negotiations ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE negotiations ADD COLUMN member_id TEXT NOT NULL DEFAULT '';
ALTER TABLE negotiations ADD COLUMN deadline_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE negotiations ADD COLUMN actions TEXT NOT NULL DEFAULT '[]';

CREATE INDEX negotiations_by_status ON negotiations (workspace_id, status, created_at);
