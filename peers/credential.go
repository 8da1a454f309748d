package peers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// Credential is what a plain A2A peer demands with every request (its
// card's securitySchemes): a bearer token (Authorization: Bearer …) or
// an API key in a header of its choosing. It is stored sealed (the
// node's key-encryption key, as webhook and A2A push secrets are), sent
// only to that peer, and never shown or logged: a Peer carries only its
// Kind.
type Credential struct {
	Header string `json:"header"` // "Authorization" for a bearer token
	Secret string `json:"secret"` // the token or key itself
}

// MaxCredential bounds a credential's secret, in bytes.
const MaxCredential = 4096

// Bearer reports whether c is a bearer token.
func (c Credential) Bearer() bool { return strings.EqualFold(c.Header, "Authorization") }

// Kind is what may be shown of c: how it is sent, never its value.
func (c Credential) Kind() string {
	if c.Bearer() {
		return "bearer"
	}
	return "header " + http.CanonicalHeaderKey(c.Header)
}

// Apply sets c on the headers of a request to the peer.
func (c Credential) Apply(h http.Header) {
	if c.Bearer() {
		h.Set("Authorization", "Bearer "+c.Secret)
		return
	}
	h.Set(c.Header, c.Secret)
}

// reservedHeaders are headers a credential may not replace.
var reservedHeaders = map[string]bool{
	"Host": true, "Content-Type": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"Accept": true, "Accept-Encoding": true, "Cookie": true, "User-Agent": true, "Te": true, "Upgrade": true,
}

// ParseCredential reads a credential as an operator gives it: raw is the
// secret (a file's or stdin's content; surrounding whitespace and a
// trailing newline are dropped), header the header to send it in ("" or
// "Authorization": a bearer token; a leading "Bearer " in raw is then
// dropped too).
func ParseCredential(raw []byte, header string) (Credential, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		header = "Authorization"
	}
	if !validHeaderName(header) || reservedHeaders[http.CanonicalHeaderKey(header)] {
		return Credential{}, errs.E(errs.Invalid, "%q cannot carry a credential: give a header name such as X-Api-Key", header)
	}
	secret := strings.TrimSpace(string(raw))
	c := Credential{Header: http.CanonicalHeaderKey(header), Secret: secret}
	if c.Bearer() && len(secret) > 7 && strings.EqualFold(secret[:7], "bearer ") {
		c.Secret = strings.TrimSpace(secret[7:])
	}
	switch {
	case c.Secret == "":
		return Credential{}, errs.E(errs.Invalid, "the credential is empty")
	case len(c.Secret) > MaxCredential:
		return Credential{}, errs.E(errs.Invalid, "the credential is longer than %d bytes", MaxCredential)
	case strings.ContainsAny(c.Secret, "\r\n\x00"):
		return Credential{}, errs.E(errs.Invalid, "the credential must be one line")
	}
	return c, nil
}

func validHeaderName(h string) bool {
	if h == "" || len(h) > 100 {
		return false
	}
	for _, r := range h {
		ok := r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// CheckCredential matches the credential an operator gave (nil: none)
// against what a plain A2A agent's card declares: a card that requires a
// scheme refuses none, and a credential must be one of the declared
// schemes this node can send (HTTP bearer — also what OAuth 2.0 and
// OpenID Connect tokens are sent as — or an API key in a header). A card
// that declares nothing takes a credential as given.
func CheckCredential(card spec.AgentCard, c *Credential) error {
	declared := declaredSchemes(card)
	if c == nil {
		if requiresCredential(card) {
			return errs.E(errs.Invalid, "the A2A agent's card requires a credential (%s); give it with --credential-file PATH (and --credential-header NAME for an API key)", describeSchemes(declared))
		}
		return nil
	}
	if len(declared) == 0 {
		return nil
	}
	for _, s := range declared {
		switch s := s.(type) {
		case spec.HTTPAuthSecurityScheme:
			if c.Bearer() && strings.EqualFold(s.Scheme, "bearer") {
				return nil
			}
		case spec.OAuth2SecurityScheme, spec.OpenIDConnectSecurityScheme:
			if c.Bearer() {
				return nil
			}
		case spec.APIKeySecurityScheme:
			if !c.Bearer() && s.Location == spec.APIKeySecuritySchemeLocationHeader && strings.EqualFold(s.Name, c.Header) {
				return nil
			}
		}
	}
	return errs.E(errs.Invalid, "the A2A agent's card declares %s; the credential given is a %s", describeSchemes(declared), c.Kind())
}

// requiresCredential reports whether the card's securityRequirements ask
// for any scheme.
func requiresCredential(card spec.AgentCard) bool {
	for _, r := range card.SecurityRequirements {
		if len(r) > 0 {
			return true
		}
	}
	return false
}

// declaredSchemes are the card's security schemes, in name order.
func declaredSchemes(card spec.AgentCard) []spec.SecurityScheme {
	names := make([]string, 0, len(card.SecuritySchemes))
	for n := range card.SecuritySchemes {
		names = append(names, string(n))
	}
	sort.Strings(names)
	out := make([]spec.SecurityScheme, 0, len(names))
	for _, n := range names {
		out = append(out, card.SecuritySchemes[spec.SecuritySchemeName(n)])
	}
	return out
}

func describeSchemes(ss []spec.SecurityScheme) string {
	if len(ss) == 0 {
		return "no scheme it names"
	}
	var d []string
	for _, s := range ss {
		switch s := s.(type) {
		case spec.HTTPAuthSecurityScheme:
			d = append(d, "HTTP "+strings.ToLower(s.Scheme))
		case spec.APIKeySecurityScheme:
			d = append(d, fmt.Sprintf("API key in %s %s", s.Location, s.Name))
		case spec.OAuth2SecurityScheme:
			d = append(d, "OAuth 2.0 (a bearer token)")
		case spec.OpenIDConnectSecurityScheme:
			d = append(d, "OpenID Connect (a bearer token)")
		case spec.MutualTLSSecurityScheme:
			d = append(d, "mutual TLS (not supported)")
		}
	}
	return strings.Join(d, " or ")
}

// credentialLabel binds a sealed credential to its peer.
func credentialLabel(peerID string) string { return "peer-credential:" + peerID }

// SetCredential stores c (nil: none) sealed as the credential of the
// workspace's plain A2A peer that ref names, and returns the peer. A
// soisnode peer takes none: its envelopes are signed.
func SetCredential(ctx context.Context, q store.Querier, sealer webhook.Sealer, workspaceID, ref string, c *Credential, now time.Time) (Peer, error) {
	p, err := Resolve(ctx, q, workspaceID, ref)
	if err != nil {
		return Peer{}, err
	}
	if !p.Plain() {
		return Peer{}, errs.E(errs.Invalid, "peer %s is a soisnode node: its envelopes are signed and it takes no credential", p.Name)
	}
	var sealed []byte
	kind := ""
	if c != nil {
		plain, err := json.Marshal(c)
		if err != nil {
			return Peer{}, fmt.Errorf("peers: encode credential: %w", err)
		}
		if sealed, err = sealer.Seal(credentialLabel(p.ID), plain); err != nil {
			return Peer{}, fmt.Errorf("peers: seal credential of %s: %w", p.ID, err)
		}
		kind = c.Kind()
	}
	p.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	if _, err := q.Exec(ctx, `UPDATE peers SET credential_kind = ?, credential_enc = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		kind, sealed, store.Micros(p.UpdatedAt), workspaceID, p.ID); err != nil {
		return Peer{}, fmt.Errorf("peers: set credential of %s: %w", p.ID, err)
	}
	p.CredentialKind = kind
	return p, nil
}

// OpenCredential returns the credential stored for p, opened; nil when it
// has none.
func OpenCredential(ctx context.Context, q store.Querier, sealer webhook.Sealer, p Peer) (*Credential, error) {
	if p.CredentialKind == "" {
		return nil, nil
	}
	var sealed []byte
	err := q.QueryRow(ctx, `SELECT credential_enc FROM peers WHERE workspace_id = ? AND id = ?`, p.WorkspaceID, p.ID).Scan(&sealed)
	if err == store.ErrNoRows {
		return nil, errs.E(errs.NotFound, "no peer %s", p.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("peers: read credential of %s: %w", p.ID, err)
	}
	if len(sealed) == 0 {
		return nil, nil
	}
	if sealer == nil {
		return nil, fmt.Errorf("peers: credential of %s: no key to open it with", p.ID)
	}
	plain, err := sealer.Open(credentialLabel(p.ID), sealed)
	if err != nil {
		return nil, fmt.Errorf("peers: open credential of %s: %w", p.ID, err)
	}
	var c Credential
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, fmt.Errorf("peers: open credential of %s: %w", p.ID, err)
	}
	return &c, nil
}

// MaskedCredential is how a peer's credential is shown: how it is sent
// and that it is set, never its value ("" when it has none).
func (p Peer) MaskedCredential() string {
	switch {
	case p.CredentialKind == "":
		return ""
	case p.CredentialKind == "bearer":
		return "Authorization: Bearer ********"
	}
	return strings.TrimPrefix(p.CredentialKind, "header ") + ": ********"
}
