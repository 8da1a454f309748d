// Package negotiation runs the signed multi-turn exchanges between peer
// nodes of DESIGN §7. One envelope's path is readable here:
//
//   - Service is the exchange: Open (record with its deadline, schedule
//     the first turn), Receive (verify with the sender's pinned keys, check
//     replay, record, schedule this side's answer — all in one
//     transaction; an envelope already recorded is accepted again and
//     changes nothing), Step (this side's turn, a durable job: the Agent's
//     Move, signed, recorded with its receipts and spend, then sent by the
//     Transport with retries until the deadline), Expire (run for each
//     exchange past its deadline by ExpireDue, which DeadlineSweeper
//     calls on a schedule: the deadline is a column, not a job), Cancel, and
//     Announce (new signing keys, signed by the pinned one). Its peer
//     lookups, Transport, Jobs and Agent are small interfaces; node wires
//     them (HTTPTransport through the SSRF guard, RiverJobs on the node's
//     queue, the local or model agent).
//   - The tools an agent acts with: the opener's key and member, or the
//     responder's peer policy (PolicyTools: scopes enforced in code, none
//     for an empty policy), and the agent tools peers_list and
//     peers_negotiate, whose Waiter keeps a caller's turn waiting without
//     holding a worker.
//   - Records travel as body.data with a declared kind (data.go); each
//     side writes its own Summary from its transcript and receipts.
//   - The pure core: Envelope and Check (version, audience, expiry and
//     lifetime, sequence, type and state, budget), Sign and Verify
//     (compact JWS with typ JWSType, EdDSA against pinned keys), Next and
//     Allowed (the state machine), Nonces / SQLNonces (replay), and the
//     stored copies (Create, Get, List, AppendTurn, Finish).
//
// Envelopes, cards and JWKS are strict JSON (package strictjson): no
// duplicate keys, valid UTF-8, nothing after the value. NoncePurger
// deletes expired nonces on a schedule; Recent and AuditTurn serve
// `soisnode negotiations list|verify`.
//
// See docs/federation.md.
package negotiation
