package oauth

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/soisnode/soisnode/store"
)

// Registration limits: a registration endpoint is open to anyone, so what
// one request may store is bounded.
const (
	maxRegistrationBytes = 16 << 10
	maxRedirectURIs      = 10
	maxURILength         = 2000
	maxClientName        = 200
)

// registration is the answer to a registration (RFC 7591 §3.2.1).
type registration struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret,omitempty"`
	ClientIDIssuedAt        int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt   *int64   `json:"client_secret_expires_at,omitempty"`
	ClientName              string   `json:"client_name"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
}

// serveRegister registers a client (RFC 7591). Registration is open, as
// MCP clients expect: a client can do nothing until a member consents.
func (s *Server) serveRegister(w http.ResponseWriter, r *http.Request) {
	var meta oauthex.ClientRegistrationMetadata
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRegistrationBytes))
	if err := dec.Decode(&meta); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_client_metadata", "the body must be a JSON object of client metadata (RFC 7591): "+err.Error())
		return
	}
	c, code, err := clientFromMetadata(&meta)
	if err != nil {
		writeError(w, http.StatusBadRequest, code, err.Error())
		return
	}
	c.ID = "sois_oci_" + strings.ToLower(store.NewID())
	c.CreatedAt = s.Store.now()
	var secret string
	if c.AuthMethod != "none" {
		secret = newSecret(clientSecretPrefix)
	}
	if err := s.Store.SaveClient(r.Context(), c, secret); err != nil {
		s.Log.Error("oauth: register", "err", err)
		writeError(w, http.StatusInternalServerError, "server_error", "internal error")
		return
	}
	out := registration{ClientID: c.ID, ClientSecret: secret, ClientIDIssuedAt: c.CreatedAt.Unix(), ClientName: c.Name,
		RedirectURIs: c.RedirectURIs, GrantTypes: meta.GrantTypes, ResponseTypes: meta.ResponseTypes, TokenEndpointAuthMethod: c.AuthMethod}
	if secret != "" {
		never := int64(0)
		out.ClientSecretExpiresAt = &never
	}
	writeJSON(w, http.StatusCreated, out)
}

// clientFromMetadata validates registration metadata (filling in its
// defaults) and returns the client to store, or the RFC 7591 error code
// and why.
func clientFromMetadata(m *oauthex.ClientRegistrationMetadata) (Client, string, error) {
	if len(m.RedirectURIs) == 0 {
		return Client{}, "invalid_redirect_uri", fmt.Errorf("redirect_uris is required")
	}
	if len(m.RedirectURIs) > maxRedirectURIs {
		return Client{}, "invalid_redirect_uri", fmt.Errorf("at most %d redirect_uris", maxRedirectURIs)
	}
	for _, u := range m.RedirectURIs {
		if err := ValidRedirectURI(u); err != nil {
			return Client{}, "invalid_redirect_uri", err
		}
	}
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{"authorization_code"}
	}
	for _, g := range m.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return Client{}, "invalid_client_metadata", fmt.Errorf("grant_types: %q is not supported; use authorization_code and refresh_token", g)
		}
	}
	if len(m.ResponseTypes) == 0 {
		m.ResponseTypes = []string{"code"}
	}
	if len(m.ResponseTypes) != 1 || m.ResponseTypes[0] != "code" {
		return Client{}, "invalid_client_metadata", fmt.Errorf(`response_types: only "code" is supported`)
	}
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = "client_secret_basic" // RFC 7591 §2
	}
	if !slices.Contains(authMethods, m.TokenEndpointAuthMethod) {
		return Client{}, "invalid_client_metadata", fmt.Errorf("token_endpoint_auth_method: %q is not supported; use one of %s",
			m.TokenEndpointAuthMethod, strings.Join(authMethods, ", "))
	}
	name := strings.TrimSpace(m.ClientName)
	if name == "" {
		name = "Unnamed client"
	}
	if len(name) > maxClientName || strings.ContainsFunc(name, unicode.IsControl) {
		return Client{}, "invalid_client_metadata", fmt.Errorf("client_name: at most %d characters, no control characters", maxClientName)
	}
	return Client{Name: name, RedirectURIs: m.RedirectURIs, AuthMethod: m.TokenEndpointAuthMethod}, "", nil
}

// ValidRedirectURI checks a redirect URI a client registers: absolute,
// https (http only for a loopback host, RFC 8252 §7.3), no fragment, no
// user info.
func ValidRedirectURI(raw string) error {
	if len(raw) > maxURILength {
		return fmt.Errorf("redirect_uri is longer than %d characters", maxURILength)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("redirect_uri %q is not an absolute URL", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("redirect_uri %q must not have a fragment", raw)
	}
	if u.User != nil {
		return fmt.Errorf("redirect_uri %q must not carry user info", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("redirect_uri %q must use https (http only for localhost, 127.0.0.1 or [::1])", raw)
	default:
		return fmt.Errorf("redirect_uri %q must use https", raw)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
