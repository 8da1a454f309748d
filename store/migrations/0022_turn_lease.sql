-- The local lane's lease (queue/local.go): a turn accepted by a process
-- that starts it at once carries, instead of a River job, the time until
-- which that process holds it (Unix microseconds; 0: not held). A turn
-- still queued or running when its lease runs out (its process died) is
-- handed to River by any process's sweep. The partial index holds only
-- leased turns, so the sweep reads a few entries.
ALTER TABLE turns ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX turns_leased ON turns (lease_until) WHERE lease_until > 0;
