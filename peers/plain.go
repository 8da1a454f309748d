package peers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/signing/verify"
)

// PlainPrefix starts the node id this node gives a plain A2A peer: the
// prefix and the peer's JSON-RPC interface URL ("a2a:https://…/a2a").
// A plain peer has no node id of its own and signs nothing.
const PlainPrefix = "a2a:"

// maxPlainID is the longest node id of a plain peer: what an envelope's
// "to" may hold (negotiation.MaxID).
const maxPlainID = 128

// ErrPlain: the agent card has no soisnode extension — a plain A2A agent.
var ErrPlain = errors.New("peers: a plain A2A agent card")

// emptyJWKS is what a plain A2A peer pins: no keys.
var emptyJWKS = []byte(`{"keys":[]}`)

// plain reads a card without the soisnode extension as a plain A2A peer:
// its A2A 1.x JSON-RPC interface (which the guard must allow), and its
// name. It pins no keys; its fingerprint is the card's (CardFingerprint),
// shown to the operator as a record of what was added, not as a key.
func (c *Client) plain(base string, raw []byte, a spec.AgentCard) (*Fetched, error) {
	endpoint := ""
	for _, i := range a.SupportedInterfaces {
		if i != nil && i.ProtocolBinding == spec.TransportProtocolJSONRPC && strings.HasPrefix(string(i.ProtocolVersion), "1.") {
			endpoint = strings.TrimSpace(i.URL)
			break
		}
	}
	if endpoint == "" {
		return nil, errs.E(errs.Invalid, "the agent card at %s has no soisnode extension and no A2A 1.x JSON-RPC interface (supportedInterfaces with protocolBinding JSONRPC): this node cannot talk to it", base+CardPath)
	}
	u, err := url.Parse(endpoint)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Fragment != "" {
		return nil, errs.E(errs.Invalid, "the agent card's JSON-RPC interface %q is not an absolute http(s) URL", endpoint)
	}
	if err := c.guard.CheckURL(endpoint); err != nil {
		return nil, err
	}
	card := Card{ID: PlainPrefix + endpoint, Name: a.Name, BaseURL: base, A2A: a}
	if len(card.ID) > maxPlainID {
		return nil, errs.E(errs.Invalid, "the agent card's JSON-RPC interface URL is longer than %d characters", maxPlainID-len(PlainPrefix))
	}
	if err := checkCard(card); err != nil {
		return nil, err
	}
	return &Fetched{Card: card, BaseURL: base, Raw: raw, JWKS: emptyJWKS, Keys: verify.NewKeySet(),
		Fingerprint: CardFingerprint(raw), A2AURL: endpoint}, nil
}

// CardFingerprint is what identifies a plain A2A peer's card as it was
// added: the first 16 bytes of the SHA-256 of its bytes, in hex groups of
// four, like Fingerprint.
func CardFingerprint(raw []byte) string {
	sum := sha256.Sum256(raw)
	return groups(hex.EncodeToString(sum[:16]))
}

// groups splits h into dash-separated groups of four characters.
func groups(h string) string {
	out := make([]string, 0, len(h)/4+1)
	for i := 0; i < len(h); i += 4 {
		out = append(out, h[i:min(i+4, len(h))])
	}
	return strings.Join(out, "-")
}
