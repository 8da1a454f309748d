// Package signing holds a node's Ed25519 (EdDSA) signing keys and signs with
// them: signed replies and federation envelopes as compact JWS, webhook
// bodies and the agent card as detached JWS (RFC 7515 appendix F), and
// webhook bodies also as Standard Webhooks "v1a" signatures. Keys live in
// the signing_keys table, their private halves encrypted with AES-256-GCM
// under a key-encryption key (LoadKEK); kids are RFC 7638 thumbprints.
// Rotation keeps retired public keys in the JWKS for a grace period.
//
// Verification needs no database and lives in the subpackage verify, which
// webhook receivers can import on its own.
package signing
