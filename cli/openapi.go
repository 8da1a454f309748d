package cli

import (
	"context"

	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/node"
)

func runOpenAPI(ctx context.Context, e *Env, args []string) error {
	fs := newFlags("openapi", e)
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	doc, err := httpapi.OpenAPIYAML(node.Version)
	if err != nil {
		return err
	}
	_, err = e.Stdout.Write(doc)
	return err
}
