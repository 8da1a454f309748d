-- The answer to a received envelope runs at once in the process that
-- received it (negotiation/lane.go) instead of as a River job: the peer's
-- turn row carries the time until which that process holds the answer
-- (Unix microseconds; 0: not held, or answered). An answer still held
-- when its lease runs out (its process died) is handed to River by any
-- process's sweep. The partial index holds only leased turns, so the
-- sweep reads a few entries.
ALTER TABLE negotiation_turns ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX negotiation_turns_leased ON negotiation_turns (lease_until) WHERE lease_until > 0;
