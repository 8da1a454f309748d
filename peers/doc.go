// Package peers will hold the peer registry of DESIGN §7: other nodes'
// agent cards, their pinned signing keys, and the inbound policy (scopes,
// per-exchange budget cap, turn limit) each peer's requests run under.
//
// Not built yet: no open issue covers federation. The signing package
// (keys, JWKS, compact JWS with an explicit EdDSA algorithm list) and the
// webhook package's SSRF guard are the pieces it will stand on.
package peers
