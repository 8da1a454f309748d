// Package peers is the peer registry of DESIGN §7: the other nodes a
// workspace federates with. A node describes itself in a signed agent card
// (Card, served at CardPath); Fetch reads a peer's card and JWKS through the
// webhook package's SSRF guard, refuses either unless it is strict JSON
// (package strictjson), checks the card's detached signature and base URL,
// and computes the key fingerprint the operator confirms. AddNamed pins
// those keys in the workspace under a local name (CheckName), together
// with the peer's inbound policy: the tool scopes its requests may use
// here, a per-exchange dollar cap and a turn limit. Resolve finds a peer by
// what people and agents type — its name, id or node id; Repin replaces
// its pinned keys once the operator confirmed the new fingerprint. KeySet
// hands the pinned keys to whoever verifies the peer's messages.
//
// Lookup resolves a peer by id, node id or name, ByNode finds every
// workspace's pin of a sender, and AddKeys pins keys a peer announced in
// a verified envelope. The signed exchanges themselves are package
// negotiation.
package peers
