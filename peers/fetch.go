package peers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/strictjson"
	"github.com/soisnode/soisnode/webhook"
)

// Limits of what Fetch reads.
const (
	maxCardBytes = 64 << 10
	maxJWKSBytes = 256 << 10
	// MaxCardAge is the oldest card signature Fetch accepts. A node signs its
	// card on every request, so only caching in between makes it older.
	MaxCardAge = 10 * time.Minute
	// fetchTimeout bounds each request.
	fetchTimeout = 10 * time.Second
)

// Client fetches peers' cards and keys. Its connections go through the
// webhook package's SSRF guard: https only, and no private, loopback or
// reserved addresses (checked when connecting), except for the hosts in
// SOIS_PEER_ALLOW_HOSTS. It never follows redirects or uses a proxy.
type Client struct {
	guard webhook.Guard
	http  *http.Client
	// Now is the clock for the card's signature age; default time.Now.
	Now func() time.Time
}

// NewClient returns a Client whose guard exempts allowHosts (host names or
// IP literals, as in SOIS_PEER_ALLOW_HOSTS) from the https and address rules.
func NewClient(allowHosts []string) *Client {
	g := webhook.Guard{AllowHosts: allowHosts, Subject: "peer URL", Setting: "SOIS_PEER_ALLOW_HOSTS"}
	return &Client{guard: g, Now: time.Now, http: &http.Client{
		Transport: g.Transport(fetchTimeout),
		Timeout:   fetchTimeout,
		// A card is served at its base URL or not at all.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Fetched is a peer's verified card and the keys to pin.
type Fetched struct {
	Card        Card
	BaseURL     string         // the base URL, normalized (lower-case host, no trailing slash)
	Raw         []byte         // the card's body as served (what the signature covers)
	JWKS        []byte         // the pinned JWKS: only the usable Ed25519 signing keys
	Keys        *verify.KeySet // the same keys, parsed
	Fingerprint string         // see Fingerprint
	SignedBy    string         // kid of the key that signed the card
	// A2AURL is the JSON-RPC interface of a plain A2A agent (a card
	// without the soisnode extension; Keys is empty then); "" for a node.
	A2AURL string
}

// Fetch reads the agent card at baseURL and the JWKS it names, and checks
// that the card is signed (Sois-Signature, typ verify.TypeCard, at most
// MaxCardAge old) by a key of that JWKS — and so are its A2A signatures[],
// when it has any, that its soisnode extension's base_url is baseURL and
// that its JWKS lives on the same origin. A card without the soisnode
// extension is a plain A2A agent: Fetched.A2AURL is its JSON-RPC
// interface, and nothing is signed or pinned (see plain). Errors carry errs kinds: Invalid
// for a URL the guard refuses or a card that fails a check, Unavailable for
// a peer that cannot be reached or answers with an error.
func Fetch(ctx context.Context, c *Client, baseURL string) (*Fetched, error) {
	base, err := normalizeBase(baseURL)
	if err != nil {
		return nil, err
	}
	if err := c.guard.CheckURL(base); err != nil {
		return nil, err
	}
	raw, header, err := c.get(ctx, base+CardPath, maxCardBytes)
	if err != nil {
		return nil, err
	}
	// Strict JSON first: with two "id" or "base_url" members, this node and
	// another reader could take different values from the signed bytes.
	if err := strictjson.Check(raw); err != nil {
		return nil, errs.E(errs.Invalid, "%s is not an agent card: %v", base+CardPath, err)
	}
	card, err := ParseCard(raw)
	if errors.Is(err, ErrPlain) {
		return c.plain(base, raw, card.A2A)
	}
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "%s: %v", base+CardPath, err)
	}
	if cb, err := normalizeBase(card.BaseURL); err != nil || cb != base {
		return nil, errs.E(errs.Invalid, "the agent card's base_url %q is not %q", card.BaseURL, base)
	}
	if !sameOrigin(card.JWKSURL, base) {
		return nil, errs.E(errs.Invalid, "the agent card's jwks_url %q is not on the origin of %s", card.JWKSURL, base)
	}
	if err := c.guard.CheckURL(card.JWKSURL); err != nil {
		return nil, err
	}
	doc, _, err := c.get(ctx, card.JWKSURL, maxJWKSBytes)
	if err != nil {
		return nil, err
	}
	if err := strictjson.Check(doc); err != nil {
		return nil, errs.E(errs.Invalid, "the peer's JWKS at %s is not a JWKS document: %v", card.JWKSURL, err)
	}
	keys, pinned, err := pinnable(doc)
	if err != nil {
		return nil, err
	}
	sig := header.Get(verify.HeaderSignature)
	if sig == "" {
		return nil, errs.E(errs.Invalid, "the agent card carries no %s header", verify.HeaderSignature)
	}
	v, err := verify.Card(ctx, keys, sig, raw, MaxCardAge, c.Now())
	if err != nil {
		return nil, errs.E(errs.Invalid, "the agent card's signature does not verify against %s: %v", card.JWKSURL, err)
	}
	// The A2A signatures[] are for A2A clients; when present they must
	// hold too, by the same keys (chosen by kid, never by a jku).
	if len(card.A2A.Signatures) > 0 {
		if _, err := verify.A2ACard(ctx, keys, raw, a2aSignatures(card.A2A)); err != nil {
			return nil, errs.E(errs.Invalid, "the agent card's signatures[] do not verify against %s: %v", card.JWKSURL, err)
		}
	}
	if err := checkCard(card); err != nil {
		return nil, err
	}
	fp, err := Fingerprint(keys)
	if err != nil {
		return nil, err
	}
	return &Fetched{Card: card, BaseURL: base, Raw: raw, JWKS: pinned, Keys: keys, Fingerprint: fp, SignedBy: v.KeyID}, nil
}

func a2aSignatures(c spec.AgentCard) []verify.A2ASignature {
	out := make([]verify.A2ASignature, 0, len(c.Signatures))
	for _, s := range c.Signatures {
		out = append(out, verify.A2ASignature{Protected: s.Protected, Signature: s.Signature, Header: s.Header})
	}
	return out
}

// get fetches target and returns at most limit bytes of a 200 answer.
func (c *Client) get(ctx context.Context, target string, limit int64) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, errs.E(errs.Invalid, "bad URL %s", target)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, reachError(target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, errs.E(errs.Unavailable, "GET %s answered %s", target, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, reachError(target, err)
	}
	if int64(len(body)) > limit {
		return nil, nil, errs.E(errs.Invalid, "GET %s: larger than %d bytes", target, limit)
	}
	return body, resp.Header, nil
}

// reachError describes a transport failure; the guard's refusal is the
// caller's to fix (Invalid), anything else may pass (Unavailable).
func reachError(target string, err error) error {
	var blocked *webhook.BlockedError
	if errors.As(err, &blocked) {
		return errs.Wrap(errs.Invalid, err, "%s resolves to %s, a private, loopback or reserved address (allow the host with SOIS_PEER_ALLOW_HOSTS)", hostOf(target), blocked.Addr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return errs.Wrap(errs.Unavailable, err, "GET %s: %v", target, err)
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return fmt.Sprintf("%q", raw)
}
