-- Money has one owner (package budget): a hold names the call it pays for,
-- so a hold whose call died can be settled as spent (an "unconfirmed"
-- ledger row at the reserved amount) instead of vanishing; a ledger row
-- names its hold and what was reserved for it, so a late settle replaces
-- the unconfirmed row instead of adding a second one; and both carry an
-- optional scope, the extra limit (a negotiation's cap) they count against.

ALTER TABLE budget_holds ADD COLUMN workspace_id TEXT NOT NULL DEFAULT '';
ALTER TABLE budget_holds ADD COLUMN conversation_id TEXT NOT NULL DEFAULT '';
ALTER TABLE budget_holds ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
ALTER TABLE budget_holds ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE budget_holds ADD COLUMN scope TEXT NOT NULL DEFAULT '';
CREATE INDEX budget_holds_expiry ON budget_holds (expires_at);
CREATE INDEX budget_holds_turn ON budget_holds (conversation_id, turn);
CREATE INDEX budget_holds_scope ON budget_holds (scope) WHERE scope <> '';

ALTER TABLE ledger ADD COLUMN hold_id TEXT;                        -- NULL: the call had no hold
ALTER TABLE ledger ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0;  -- micro-USD held for the call
ALTER TABLE ledger ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0; -- 1: the call's outcome is unknown; cost = reserved
ALTER TABLE ledger ADD COLUMN scope TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX ledger_hold ON ledger (hold_id);
CREATE INDEX ledger_scope ON ledger (scope) WHERE scope <> '';
