package peers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
)

// Well-known paths, relative to a node's base URL.
const (
	CardPath       = "/.well-known/agent-card.json" // the signed agent card
	JWKSPath       = "/.well-known/jwks.json"       // the node's public signing keys
	FederationPath = "/federation/v1"               // where federation endpoints live
)

// Card is a node's agent card (DESIGN §7), served as JSON at CardPath with a
// detached JWS of typ verify.TypeCard over the exact body in the
// Sois-Signature header.
type Card struct {
	ID           string       `json:"id"`       // the node id: "iss" of what it signs
	Name         string       `json:"name"`     // SOIS_NODE_NAME
	BaseURL      string       `json:"base_url"` // the node's public URL, no trailing slash
	JWKSURL      string       `json:"jwks_url"` // its JWKS, on the same origin as BaseURL
	Version      string       `json:"version"`  // the soisnode version
	Capabilities Capabilities `json:"capabilities"`
	Skills       []Skill      `json:"skills"`
	Federation   Federation   `json:"federation"`
}

// Capabilities says which interfaces a node offers.
type Capabilities struct {
	Agent         string `json:"agent"`          // URL of POST /api/agent
	MCP           string `json:"mcp"`            // URL of the MCP server
	SignedReplies bool   `json:"signed_replies"` // replies carry signed_reply
	Webhooks      bool   `json:"webhooks"`       // signed webhook deliveries
	Negotiations  bool   `json:"negotiations"`   // accepts negotiations at Federation.Endpoint
}

// Skill is one thing a node's agent can do, for people and agents reading
// the card.
type Skill struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []string `json:"tags,omitempty"`
}

// Federation tells peers where to reach the node.
type Federation struct {
	Endpoint string `json:"endpoint"` // BaseURL + FederationPath
}

// maxKeys bounds the keys pinned for one peer (a rotating node publishes
// two or three).
const maxKeys = 20

// pinnable keeps the usable keys of a JWKS (verify.ParseJWKS's rules),
// sorted by kid, and returns them as a JWKS document holding only those.
func pinnable(doc []byte) (*verify.KeySet, []byte, error) {
	set, err := verify.ParseJWKS(doc)
	if err != nil {
		return nil, nil, errs.E(errs.Invalid, "the peer's JWKS is not a JWKS document")
	}
	keys := set.Keys()
	if len(keys) == 0 {
		return nil, nil, errs.E(errs.Invalid, "the peer's JWKS holds no Ed25519 signing key")
	}
	if len(keys) > maxKeys {
		return nil, nil, errs.E(errs.Invalid, "the peer's JWKS holds more than %d keys", maxKeys)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
	out := jose.JSONWebKeySet{}
	for _, k := range keys {
		out.Keys = append(out.Keys, jose.JSONWebKey{Key: k.Public, KeyID: k.ID, Algorithm: verify.Algorithm, Use: "sig"})
	}
	pinned, err := json.Marshal(out)
	if err != nil {
		return nil, nil, fmt.Errorf("peers: encode JWKS: %w", err)
	}
	return verify.NewKeySet(keys...), pinned, nil
}

// Fingerprint is what an operator compares before pinning a peer's keys:
// the SHA-256 of the keys' RFC 7638 thumbprints (sorted, one per line),
// its first 16 bytes in hex, in groups of four ("3f2a-9c1b-…"). It depends
// on the public keys only, never on the kids a JWKS claims.
func Fingerprint(set *verify.KeySet) (string, error) {
	var tps []string
	for _, k := range set.Keys() {
		tp, err := signing.Thumbprint(k.Public)
		if err != nil {
			return "", err
		}
		tps = append(tps, tp)
	}
	sort.Strings(tps)
	sum := sha256.Sum256([]byte(strings.Join(tps, "\n")))
	h := hex.EncodeToString(sum[:16])
	groups := make([]string, 0, len(h)/4)
	for i := 0; i < len(h); i += 4 {
		groups = append(groups, h[i:i+4])
	}
	return strings.Join(groups, "-"), nil
}

// normalizeBase returns a base URL the way cards state it: the scheme and
// host lower-cased, no trailing slash, no query or fragment.
func normalizeBase(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "", errs.E(errs.Invalid, "peer URL must be an absolute https URL, e.g. https://node.example.com")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", errs.E(errs.Invalid, "peer URL must not have a query or fragment")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// sameOrigin reports whether a and b share scheme, host and port.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

// checkCard validates the fields a peer is registered by.
func checkCard(c Card) error {
	if c.ID == "" || len(c.ID) > 200 || strings.IndexFunc(c.ID, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return errs.E(errs.Invalid, "the agent card's id must be 1 to 200 printable ASCII characters without spaces")
	}
	name := strings.TrimSpace(c.Name)
	if name == "" || len([]rune(name)) > 200 || strings.IndexFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return errs.E(errs.Invalid, "the agent card's name must be 1 to 200 characters without control characters")
	}
	return nil
}
