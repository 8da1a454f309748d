package node

import (
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// OpenAPIYAML returns the node's OpenAPI 3.1 document, built from the same
// operation registrations that serve requests (no database needed).
func OpenAPIYAML() ([]byte, error) {
	installProblems()
	n := &Node{cfg: Config{}.withDefaults(), waiters: newWaiters()}
	api := n.newAPI(http.NewServeMux())
	return api.OpenAPI().YAML()
}

// serveOpenAPIAt makes the served document's servers name the node's
// public URL, so a client generated from /openapi.yaml calls this node.
// It runs before the first request (the document is rendered once, on
// first use).
func (n *Node) serveOpenAPIAt(publicURL string) {
	if n.api == nil || publicURL == "" {
		return
	}
	n.api.OpenAPI().Servers = []*huma.Server{{URL: strings.TrimRight(publicURL, "/"), Description: "This node"}}
}
