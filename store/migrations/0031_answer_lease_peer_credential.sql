-- The answer to a received envelope runs at once in the process that
-- received it (negotiation/lane.go) instead of as a River job: the peer's
-- turn row carries the time until which that process holds the answer
-- (Unix microseconds; 0: not held, or answered). An answer still held
-- when its lease runs out (its process died) is handed to River by any
-- process's sweep. The partial index holds only leased turns, so the
-- sweep reads a few entries.
ALTER TABLE negotiation_turns ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX negotiation_turns_leased ON negotiation_turns (lease_until) WHERE lease_until > 0;

-- A plain A2A peer's credential (peers/credential.go): how it is sent
-- (credential_kind: 'bearer' or 'header <name>'; '' for none), and the
-- credential itself sealed under the node's key-encryption key, opened
-- only to be sent to that peer.
ALTER TABLE peers ADD COLUMN credential_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE peers ADD COLUMN credential_enc BLOB;
