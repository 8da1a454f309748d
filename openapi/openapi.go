// Package openapi holds the generated OpenAPI 3.1 document of the node's
// public HTTP contract (openapi.yaml, written by `soisnode openapi`), and
// the test that fails when the committed document drifts from the code.
package openapi

import _ "embed"

// YAML is the committed document.
//
//go:embed openapi.yaml
var YAML []byte
