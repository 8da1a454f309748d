package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/workspace"
)

// TestNegotiationBadInput: opening a negotiation with a bad cap, an
// unknown peer or a missing goal is problem+json and stores nothing; an
// unknown negotiation is 404; the list of a workspace without any is
// empty, not null.
func TestNegotiationBadInput(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Owner, access.KeyParams{})
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"bad cap", map[string]any{"peer": "erp", "goal": "buy", "max_usd": "one dollar"}, http.StatusUnprocessableEntity},
		{"too many decimals", map[string]any{"peer": "erp", "goal": "buy", "max_usd": "1.0000001"}, http.StatusUnprocessableEntity},
		{"no goal", map[string]any{"peer": "erp"}, http.StatusUnprocessableEntity},
		{"too many turns", map[string]any{"peer": "erp", "goal": "buy", "max_turns": 101}, http.StatusUnprocessableEntity},
		{"unknown peer", map[string]any{"peer": "erp", "goal": "buy"}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problem(t, api.Post("/api/negotiations", append(httpapitest.Auth(c), tc.body)...), tc.status)
		})
	}
	if n := count(t, api.DB, `SELECT count(*) FROM negotiations`); n != 0 {
		t.Fatalf("refused requests stored %d negotiations", n)
	}
	problem(t, api.Get("/api/negotiations/01JNOSUCHNEGOTIATION000000", httpapitest.Auth(c)...), http.StatusNotFound)
	problem(t, api.Post("/api/negotiations/01JNOSUCHNEGOTIATION000000/cancel", httpapitest.Auth(c)...), http.StatusNotFound)
	if r := api.Get("/api/negotiations", httpapitest.Auth(c)...); r.Code != 200 || strings.TrimSpace(r.Body.String()) != `{"negotiations":[],"next_cursor":""}` {
		t.Fatalf("list = %d %s", r.Code, r.Body)
	}
}
