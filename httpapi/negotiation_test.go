package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/testbed"
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

// TestNegotiationNeedsPeersScope: the negotiation operations ask what the
// peers tools ask: opening or canceling one needs peers:write and a role
// that may write, reading them peers:read. A key scoped to something else,
// or a viewer opening one, is 403 before anything is looked up or stored.
func TestNegotiationNeedsPeersScope(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	none := budget.None
	key := func(scopes ...string) access.KeyParams {
		return access.KeyParams{Scopes: scopes, BudgetDaily: none, BudgetMonthly: none, BudgetTotal: none}
	}
	contacts := api.Workspace(t, workspace.Owner, key("contacts:read"))
	reader := api.Workspace(t, workspace.Owner, key("peers:read"))
	writer := api.Workspace(t, workspace.Owner, key("peers:*"))
	viewer := api.Workspace(t, workspace.Viewer, key())
	open := map[string]any{"peer": "erp", "goal": "buy"}
	const id = "/api/negotiations/neg_01JNOSUCHNEGOTIATION00000"
	for _, tc := range []struct {
		name   string
		c      testbed.Creds
		method string
		path   string
		body   any
		want   int
	}{
		{"open, scoped to contacts", contacts, "POST", "/api/negotiations", open, http.StatusForbidden},
		{"open, peers:read only", reader, "POST", "/api/negotiations", open, http.StatusForbidden},
		{"open, viewer", viewer, "POST", "/api/negotiations", open, http.StatusForbidden},
		{"open, peers:*", writer, "POST", "/api/negotiations", open, http.StatusNotFound}, // allowed; no such peer
		{"cancel, peers:read only", reader, "POST", id + "/cancel", nil, http.StatusForbidden},
		{"cancel, viewer", viewer, "POST", id + "/cancel", nil, http.StatusForbidden},
		{"cancel, peers:*", writer, "POST", id + "/cancel", nil, http.StatusNotFound},
		{"list, scoped to contacts", contacts, "GET", "/api/negotiations", nil, http.StatusForbidden},
		{"get, scoped to contacts", contacts, "GET", id, nil, http.StatusForbidden},
		{"list, peers:read", reader, "GET", "/api/negotiations", nil, http.StatusOK},
		{"list, viewer", viewer, "GET", "/api/negotiations", nil, http.StatusOK},
		{"get, peers:read", reader, "GET", id, nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := api.Call(t, tc.method, tc.path, tc.c, tc.body)
			if r.Status != tc.want {
				t.Fatalf("got %d %s, want %d", r.Status, r.Body, tc.want)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(string(r.Body), "peers:") {
				t.Fatalf("a 403 that does not name the scope: %s", r.Body)
			}
		})
	}
	if n := count(t, api.DB, `SELECT count(*) FROM negotiations`); n != 0 {
		t.Fatalf("refused requests stored %d negotiations", n)
	}
}
