package httpapi

import (
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// NewAPI returns the Huma API of the node's version, serving on mux, with
// the document's info, tags and security schemes and no operations yet
// (Register adds them).
func NewAPI(mux *http.ServeMux, version string) huma.API {
	installProblems()
	cfg := huma.DefaultConfig("soisnode", version)
	cfg.CreateHooks = nil // no $schema links in response bodies: the wire shapes are the contract
	cfg.Info.Description = "A self-hosted agent federation node. Send plain English to POST /api/agent; the node's agent acts across the workspace and replies by signed webhook or polling."
	cfg.Components.SecuritySchemes = securitySchemes()
	// A placeholder for the committed document; a running node serves its
	// own SOIS_PUBLIC_URL here (ServeAt).
	cfg.Servers = []*huma.Server{{URL: "http://127.0.0.1:8080", Description: "A local node (make run)"}}
	cfg.DocsPath = "" // served by package apidocs, offline
	cfg.Info.License = &huma.License{Name: "Proprietary", Identifier: "LicenseRef-Proprietary"}
	cfg.Info.Contact = &huma.Contact{Name: "soisnode", URL: "https://github.com/soisnode/soisnode"}
	cfg.Tags = []*huma.Tag{
		{Name: "Agent", Description: "Send plain English to the node's agent and read the results."},
		{Name: "Webhooks", Description: "Signed deliveries to the integration key's response_url."},
		{Name: "Admin", Description: "Workspace administration: webhook deliveries, their attempts and redelivery (owner or admin)."},
		{Name: "Files", Description: "The workspace's files: upload, download and list."},
		{Name: "Negotiations", Description: "Exchanges with peer nodes, run by the agents of both sides under a budget and a turn limit."},
	}
	return humago.New(mux, cfg)
}

// OpenAPIYAML returns the OpenAPI 3.1 document of a node of version,
// built from the same operation registrations that serve requests (no
// database needed).
func OpenAPIYAML(version string) ([]byte, error) {
	api := NewAPI(http.NewServeMux(), version)
	New(Deps{Config: Config{Version: version}}).Register(api)
	return api.OpenAPI().YAML()
}

// ServeAt makes the served document's servers name the node's public
// URL, so a client generated from /openapi.yaml calls this node. Call it
// before the first request (the document is rendered once, on first use).
func ServeAt(api huma.API, publicURL string) {
	if api == nil || publicURL == "" {
		return
	}
	api.OpenAPI().Servers = []*huma.Server{{URL: strings.TrimRight(publicURL, "/"), Description: "This node"}}
}
