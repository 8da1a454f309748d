// Package negotiation holds the signed multi-turn exchanges between peer
// nodes of DESIGN §7. What exists is the pure core and its storage:
//
//   - Envelope, the federation message, and Check, the receiver's rules
//     (version, audience, expiry and lifetime, sequence, type and state,
//     budget), each failure wrapping its own sentinel error;
//   - Sign and Verify: a compact JWS with typ JWSType by the node's key,
//     verified EdDSA-only against the sender's pinned keys (peers.KeySet),
//     whose payload must come from that same peer;
//   - Next, the exchange state machine with its statuses, turn limit and
//     per-side budget cap;
//   - Nonces and SQLNonces (table negotiation_nonces), which refuse a
//     replayed envelope while it is live, and NoncePurger, which deletes
//     expired ones on a schedule;
//   - Create, Get, AppendTurn and Finish: each side's copy of a
//     negotiation and its signed transcript (tables negotiations and
//     negotiation_turns), per workspace, encoding to the API shape;
//     Recent lists them, and AuditTurn re-checks a stored turn against
//     its sender's keys (`soisnode negotiations verify`).
//
// Envelopes are strict JSON (package strictjson): no duplicate keys,
// valid UTF-8, nothing after the value.
//
// Not built yet: the agents' turns and summaries, the /federation/v1
// endpoints, POST /api/negotiations and the "negotiation.finished" webhook
// (webhook.EventNegotiation is reserved).
// See docs/federation.md.
package negotiation
