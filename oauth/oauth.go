// Package oauth makes the node its own OAuth 2.1 authorization server for
// /mcp, as the MCP authorization specification asks of a remote server and
// hosted assistants' connectors (ChatGPT, Claude on the web) require:
// protected-resource metadata (RFC 9728), authorization-server metadata
// (RFC 8414), dynamic client registration (RFC 7591), the authorization
// code grant with PKCE S256 only, resource indicators (RFC 8707), rotating
// refresh tokens and revocation (RFC 7009).
//
// A member signed in to the console consents on /oauth/authorize and picks
// the integration key the assistant will act under; its access tokens then
// act on /mcp exactly as that member with that key's scopes and budgets
// (Store.Verify), and nowhere else. Tokens are opaque random strings,
// stored only as SHA-256 hashes, bound to this node's /mcp URL.
//
// The protocol types of the metadata documents come from the MCP Go SDK's
// oauthex package; the grant handling is this package's own, small and
// tested: no OIDC, no JWTs, no signing keys.
package oauth

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/soisnode/soisnode/workspace"
)

// Paths the package serves (Mount).
const (
	ResourceMetadataPath = "/.well-known/oauth-protected-resource"
	ServerMetadataPath   = "/.well-known/oauth-authorization-server"
	RegisterPath         = "/oauth/register"
	AuthorizePath        = "/oauth/authorize"
	TokenPath            = "/oauth/token"
	RevokePath           = "/oauth/revoke"
	// ResourcePath is the protected resource: the MCP endpoint.
	ResourcePath = "/mcp"
)

// Member is the console member signed in to the browser. Role is a
// workspace.Role ("owner", "admin", "member", "viewer"); only an owner or
// admin may consent.
type Member struct {
	WorkspaceID, MemberID, Name, Role string
}

// Sessions is what the consent step needs from the console: who is signed
// in, where to sign in, CSRF tokens, and the console's page layout.
type Sessions interface {
	// Current returns the member signed in to r's browser session.
	Current(r *http.Request) (Member, bool)
	// SignInURL is where to send a browser that must sign in first, to
	// come back to next (a path on this node) afterwards.
	SignInURL(next string) string
	// CSRFToken is the token a form of r's session must carry.
	CSRFToken(r *http.Request) string
	// VerifyCSRF checks a submitted form's CSRF token.
	VerifyCSRF(r *http.Request) error
	// Render writes a page in the console's layout.
	Render(w http.ResponseWriter, r *http.Request, title string, body template.HTML)
}

// Server is the authorization server and the resource server's metadata.
type Server struct {
	// Store holds clients, grants, codes and tokens.
	Store *Store
	// Sessions is the console's sign-in, for the consent page. nil: no
	// console, so no consent (authorization requests end on a page that
	// says so).
	Sessions Sessions
	// BaseURL returns the node's public URL (SOIS_PUBLIC_URL), without a
	// trailing slash: the issuer, and with /mcp the one resource its
	// tokens are for. Called per request: it is known only once the node
	// listens.
	BaseURL func() string
	// FetchClient fetches client ID metadata documents (see
	// NewFetchClient); nil: clients must register (RFC 7591), and the
	// metadata does not offer documents.
	FetchClient *http.Client
	// CheckFetchURL, if set, vets a document's URL before it is fetched
	// (the node's SSRF guard: https, no private address literal).
	CheckFetchURL func(string) error
	// Log gets refusals worth an operator's eye; never a secret.
	Log *slog.Logger
}

func (s *Server) base() string { return strings.TrimSuffix(s.BaseURL(), "/") }

// Resource is this node's /mcp URL, the audience of every token.
func (s *Server) Resource() string { return s.base() + ResourcePath }

// ResourceMetadataURL is where a 401 from /mcp points (RFC 9728 §5.1):
// the metadata document of the /mcp resource.
func (s *Server) ResourceMetadataURL() string { return s.base() + ResourceMetadataPath + ResourcePath }

// Challenge is the WWW-Authenticate value of a 401 from /mcp. invalid
// says a token was presented and refused (RFC 6750 §3.1).
func (s *Server) Challenge(invalid bool) string {
	c := `Bearer resource_metadata="` + s.ResourceMetadataURL() + `"`
	if invalid {
		c += `, error="invalid_token"`
	}
	return c
}

// Verify resolves an access token presented to /mcp (see Store.Verify).
func (s *Server) Verify(ctx context.Context, token string) (workspace.Caller, error) {
	return s.Store.Verify(ctx, token, s.Resource())
}

// Mount registers the package's endpoints on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Sessions == nil {
		s.Sessions = noConsole{}
		mux.HandleFunc("GET "+AuthorizePath+"/unavailable", func(w http.ResponseWriter, r *http.Request) {
			s.errorPage(w, r, http.StatusServiceUnavailable, "This node has no console to sign in to, so no assistant can be connected to it yet.")
		})
	}
	mux.Handle(ResourceMetadataPath, public(http.MethodGet, s.serveResourceMetadata))
	mux.Handle(ResourceMetadataPath+ResourcePath, public(http.MethodGet, s.serveResourceMetadata))
	mux.Handle(ServerMetadataPath, public(http.MethodGet, s.serveServerMetadata))
	mux.Handle(RegisterPath, public(http.MethodPost, s.serveRegister))
	mux.Handle(TokenPath, public(http.MethodPost, s.serveToken))
	mux.Handle(RevokePath, public(http.MethodPost, s.serveRevoke))
	mux.HandleFunc("GET "+AuthorizePath, s.serveAuthorize)
	mux.HandleFunc("POST "+AuthorizePath, s.serveConsent)
}

// public allows method from any origin (the endpoints browser-based MCP
// clients call with no cookies: metadata, registration, token, revoke)
// and answers CORS preflights.
func public(method string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", method+", OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
			h(w, r)
			return
		}
		w.Header().Set("Allow", method+", OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, "invalid_request", "method not allowed; use "+method)
	})
}
