// Package nodetest tests the node's HTTP operations without a server
// process: New assembles a node on a throw-away database, without
// starting it (no listener, no workers, no background loops), and wraps
// its Huma API in humatest, so a handler test sends a request straight to
// the operations and their middleware in milliseconds. Tests of what
// needs a running node (turns that complete, webhooks, federation) start
// one with testbed.Start instead.
package nodetest

import (
	"context"
	"testing"

	"github.com/danielgtaylor/huma/v2/humatest"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// API is a node that is assembled but not started, and its operations.
type API struct {
	humatest.TestAPI
	Node *node.Node
}

// New assembles a node on a fresh SQLite database (cfg's DatabaseURL and
// DataDir are filled in when empty) and closes it when the test ends.
func New(t *testing.T, cfg node.Config) *API {
	t.Helper()
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = storetest.SQLiteURL(t)
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	n, err := node.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Shutdown(context.Background()) })
	return &API{TestAPI: humatest.Wrap(t, n.API()), Node: n}
}

// Member adds a workspace with a member of role and an integration key,
// and returns the request headers that authenticate as them.
func (a *API) Member(t *testing.T, role workspace.Role, p access.KeyParams) []any {
	t.Helper()
	c := testbed.Workspace(t, a.Node.DB(), role, p)
	return []any{"Authorization: Bearer " + c.Token, "X-Api-Key: " + c.APIKey}
}
