-- Negotiation deadlines (package negotiation, DeadlineSweeper):
--
-- an exchange's deadline is no longer a River job inserted with it (a
-- second job insert on every open); every working process sweeps the open
-- exchanges whose deadline_at has passed and ends them as expired. This
-- index keeps that sweep a range scan over the open exchanges only.

CREATE INDEX negotiations_by_deadline ON negotiations (status, deadline_at);
