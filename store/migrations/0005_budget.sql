-- Budget reservations and threshold events (package budget).
-- A hold is money reserved for one model call before it runs; it is deleted
-- when the call settles (in the transaction that writes the ledger row) or
-- is released, and stops counting at expires_at if its process crashed.

CREATE TABLE budget_holds (
    id         TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL,
    amount     BIGINT NOT NULL,              -- micro-USD
    created_at BIGINT NOT NULL,              -- unix microseconds
    expires_at BIGINT NOT NULL
);
CREATE INDEX budget_holds_key ON budget_holds (key_id, expires_at);

-- One row per key, budget and window whose threshold was reached, so the
-- event fires once even when several node processes notice it together.
CREATE TABLE budget_threshold_events (
    key_id       TEXT NOT NULL,
    budget       TEXT NOT NULL,              -- daily | monthly | total
    window_start BIGINT NOT NULL,            -- unix microseconds; 0 for total
    budget_limit BIGINT NOT NULL,
    spent        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (key_id, budget, window_start)
);
