package oauth

import (
	"encoding/json"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// serveResourceMetadata serves the protected-resource metadata of /mcp
// (RFC 9728), at the root well-known path and the /mcp-suffixed one MCP
// clients probe first.
func (s *Server) serveResourceMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, &oauthex.ProtectedResourceMetadata{
		Resource:               s.Resource(),
		AuthorizationServers:   []string{s.base()},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "soisnode workspace tools (MCP)",
	})
}

// serverMetadata is the authorization-server metadata document (RFC 8414).
// oauthex.AuthServerMeta would write an empty jwks_uri, which strict
// clients reject as a URL; this server signs nothing, so it has none.
type serverMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	RevocationAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	IssParameterSupported             bool     `json:"authorization_response_iss_parameter_supported"`
	ClientIDMetadataDocumentSupported bool     `json:"client_id_metadata_document_supported"`
	ServiceDocumentation              string   `json:"service_documentation,omitempty"`
}

// authMethods are the client authentication methods of the token and
// revocation endpoints.
var authMethods = []string{"none", "client_secret_basic", "client_secret_post"}

func (s *Server) serveServerMetadata(w http.ResponseWriter, r *http.Request) {
	b := s.base()
	writeJSON(w, http.StatusOK, serverMetadata{
		Issuer:                            b,
		AuthorizationEndpoint:             b + AuthorizePath,
		TokenEndpoint:                     b + TokenPath,
		RegistrationEndpoint:              b + RegisterPath,
		RevocationEndpoint:                b + RevokePath,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethodsSupported: authMethods,
		RevocationAuthMethodsSupported:    authMethods,
		CodeChallengeMethodsSupported:     []string{"S256"},
		IssParameterSupported:             true,
		ClientIDMetadataDocumentSupported: s.FetchClient != nil,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError is the error body of RFC 6749 §5.2 (and RFC 7591 §3.2.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, oauthError{Error: code, Description: description})
}
