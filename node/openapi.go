package node

import (
	"net/http"
)

// OpenAPIYAML returns the node's OpenAPI 3.1 document, built from the same
// operation registrations that serve requests (no database needed).
func OpenAPIYAML() ([]byte, error) {
	installProblems()
	n := &Node{cfg: Config{}.withDefaults(), waiters: newWaiters()}
	api := n.newAPI(http.NewServeMux())
	return api.OpenAPI().YAML()
}
