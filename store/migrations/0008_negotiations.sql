-- Negotiations between peer nodes (package negotiation, DESIGN §7).
-- negotiation_nonces remembers the nonce of every envelope this node
-- accepted until the envelope expires, so that a captured envelope cannot
-- be replayed while it is live. sender is the sending node's id (nonces
-- are unique per sender); expires_at is the envelope's exp in unix
-- microseconds. Rows past expires_at are dead and may be purged.

CREATE TABLE negotiation_nonces (
    sender     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (sender, nonce)
);

CREATE INDEX negotiation_nonces_expires ON negotiation_nonces (expires_at);
