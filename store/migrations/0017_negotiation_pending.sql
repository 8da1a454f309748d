-- Negotiation robustness and summaries (package negotiation):
--
-- negotiation_pending keeps this side's next move as soon as the agent has
-- produced it, in the transaction that settles the model call that
-- produced it, so a crash before the turn is signed and recorded resumes
-- from the kept move instead of asking the model again. The row goes when
-- the turn is recorded.
--
-- negotiations.summary_pending is 1 from the end of an exchange until its
-- model-written summary is in (the summary job then queues
-- negotiation.finished); 0 when the local summary is final.
--
-- negotiations.cost_usd is no longer written: an exchange's cost is read
-- from the ledger rows of its scope ('negotiation:' || id).

CREATE TABLE negotiation_pending (
    workspace_id   TEXT NOT NULL,
    negotiation_id TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    move           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, negotiation_id, seq)
);

ALTER TABLE negotiations ADD COLUMN summary_pending INTEGER NOT NULL DEFAULT 0;
