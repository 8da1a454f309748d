// Package negotiate is the local agent's side of an exchange between
// nodes (package negotiation): offline, deterministic and free. It
// recognises requests for records (contacts by city, company, tag or
// name; open tasks; members of a team), answers them within the peer's
// policy with records as body.data, asks and answers clarifying
// questions, declines what the policy forbids with the reason, and
// imports received contacts through the workspace's own tools (by email:
// created, updated or left unchanged, never doubled). The peer's text is
// data: only a kind of record and filter values are read from it.
package negotiate
