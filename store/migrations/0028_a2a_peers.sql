-- Plain A2A agents as peers (DESIGN §7a, docs/a2a.md): a peer whose card
-- has no soisnode extension is reached by A2A messages at a2a_url (its
-- JSON-RPC interface); '' for a soisnode node, reached by signed
-- envelopes. Such a peer pins no keys (jwks holds an empty key set). A
-- negotiation with it keeps the A2A contextId the peer gave its first
-- answer in a2a_context, so that every message of the exchange goes to
-- the same context, and in a2a_task the task that awaits our input when
-- the peer's last answer was input-required ('' otherwise).

ALTER TABLE peers ADD COLUMN a2a_url TEXT NOT NULL DEFAULT '';
ALTER TABLE negotiations ADD COLUMN a2a_context TEXT NOT NULL DEFAULT '';
ALTER TABLE negotiations ADD COLUMN a2a_task TEXT NOT NULL DEFAULT '';
