-- Negotiations and their signed transcripts (package negotiation,
-- DESIGN §7). Both nodes of an exchange use the same id, each keeping its
-- own copy under the workspace that holds it, so the key is
-- (workspace_id, id). peer is the other node's id (kept when the peer is
-- removed, so history survives); status is open, accepted, rejected,
-- closed, turn_limit, budget_cap, expired or failed; cost_usd and max_usd
-- are this side's spend and cap in micro-dollars; finished_at is 0 while
-- the negotiation is open. Times are unix microseconds.
-- A turn is one signed envelope, from either side: jws is the compact JWS
-- exactly as received or sent; data is its body.data as JSON, '' when absent.

CREATE TABLE negotiations (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL,
    peer         TEXT NOT NULL,
    goal         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open',
    summary      TEXT NOT NULL DEFAULT '',
    cost_usd     BIGINT NOT NULL DEFAULT 0,
    max_usd      BIGINT NOT NULL,
    max_turns    INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE negotiation_turns (
    workspace_id   TEXT NOT NULL,
    negotiation_id TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    from_node      TEXT NOT NULL,
    type           TEXT NOT NULL,
    text           TEXT NOT NULL,
    data           TEXT NOT NULL DEFAULT '',
    jws            TEXT NOT NULL,
    at             BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, negotiation_id, seq),
    FOREIGN KEY (workspace_id, negotiation_id) REFERENCES negotiations (workspace_id, id)
);
