package openapi_test

import (
	"bytes"
	"testing"

	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/openapi"
)

// TestNoDrift fails when openapi/openapi.yaml differs from what the code
// generates. Fix with: go run ./cmd/soisnode openapi > openapi/openapi.yaml
func TestNoDrift(t *testing.T) {
	got, err := httpapi.OpenAPIYAML(node.Version)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, openapi.YAML) {
		t.Fatalf("openapi/openapi.yaml is stale: run `go run ./cmd/soisnode openapi > openapi/openapi.yaml` (generated %d bytes, committed %d)", len(got), len(openapi.YAML))
	}
}
