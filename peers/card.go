package peers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
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

// ExtensionURI names soisnode's A2A extension: the one entry of an agent
// card's capabilities.extensions[] whose params (NodeParams) tell a peer
// how to federate with the node. It is stable; a new version gets a new URI.
const ExtensionURI = "https://soisnode.dev/a2a/extensions/node/v1"

// NodeParams are the params of the soisnode extension (DESIGN §7): what a
// peer needs beyond the A2A card. Booleans are omitted when false, so the
// card's canonical form (verify.A2ACardPayload) keeps every field.
type NodeParams struct {
	NodeID             string `json:"node_id"`             // the node id: "iss" of what it signs
	BaseURL            string `json:"base_url"`            // the node's public URL, no trailing slash
	JWKSURL            string `json:"jwks_url"`            // its JWKS, on the same origin as BaseURL
	FederationEndpoint string `json:"federation_endpoint"` // BaseURL + FederationPath
	Version            string `json:"version"`             // the soisnode version
	AgentEndpoint      string `json:"agent_endpoint,omitempty"`
	MCPEndpoint        string `json:"mcp_endpoint,omitempty"`
	Negotiations       bool   `json:"negotiations,omitempty"`   // accepts negotiations at FederationEndpoint
	SignedReplies      bool   `json:"signed_replies,omitempty"` // replies carry signed_reply
	Webhooks           bool   `json:"webhooks,omitempty"`       // signed webhook deliveries
}

// Extension returns p as the card's soisnode extension entry.
func (p NodeParams) Extension() spec.AgentExtension {
	raw, _ := json.Marshal(p) // a struct of strings and bools always encodes
	var params map[string]any
	_ = json.Unmarshal(raw, &params)
	return spec.AgentExtension{
		URI:         ExtensionURI,
		Description: "soisnode federation: node id, signing keys, federation endpoint and signed negotiations (docs/a2a.md).",
		Params:      params,
	}
}

// Card is what soisnode reads from a node's A2A agent card: the card
// itself and the params of the soisnode extension.
type Card struct {
	ID         string // NodeParams.NodeID
	Name       string // the card's name
	BaseURL    string
	JWKSURL    string
	Version    string
	Federation Federation
	// Negotiations says the node accepts negotiations at Federation.Endpoint.
	Negotiations bool
	Params       NodeParams
	A2A          spec.AgentCard // the whole card as served
}

// Federation tells peers where to reach the node.
type Federation struct {
	Endpoint string // BaseURL + FederationPath
}

// ParseCard reads an A2A agent card and its soisnode extension. A card
// that is not an A2A card is errs.Invalid; one without the soisnode
// extension (a plain A2A agent) is errs.Invalid wrapping ErrPlain, with
// the card in Card.A2A.
func ParseCard(raw []byte) (Card, error) {
	var a spec.AgentCard
	if err := json.Unmarshal(raw, &a); err != nil {
		return Card{}, errs.E(errs.Invalid, "not an A2A agent card: %v", err)
	}
	var ext *spec.AgentExtension
	for i := range a.Capabilities.Extensions {
		if a.Capabilities.Extensions[i].URI == ExtensionURI {
			ext = &a.Capabilities.Extensions[i]
			break
		}
	}
	if ext == nil {
		return Card{Name: a.Name, A2A: a}, errs.Wrap(errs.Invalid, ErrPlain, "the agent card has no soisnode extension (%s) in capabilities.extensions: a plain A2A agent", ExtensionURI)
	}
	raw, err := json.Marshal(ext.Params)
	if err != nil {
		return Card{}, errs.E(errs.Invalid, "the soisnode extension's params are not JSON: %v", err)
	}
	var p NodeParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return Card{}, errs.E(errs.Invalid, "the soisnode extension's params are malformed: %v", err)
	}
	return Card{
		ID: p.NodeID, Name: a.Name, BaseURL: p.BaseURL, JWKSURL: p.JWKSURL, Version: p.Version,
		Federation: Federation{Endpoint: p.FederationEndpoint}, Negotiations: p.Negotiations, Params: p, A2A: a,
	}, nil
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
	return groups(hex.EncodeToString(sum[:16])), nil
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
		return errs.E(errs.Invalid, "the soisnode extension's node_id must be 1 to 200 printable ASCII characters without spaces")
	}
	name := strings.TrimSpace(c.Name)
	if name == "" || len([]rune(name)) > 200 || strings.IndexFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return errs.E(errs.Invalid, "the agent card's name must be 1 to 200 characters without control characters")
	}
	return nil
}
