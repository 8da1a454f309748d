package nodetest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/node/nodetest"
	"github.com/soisnode/soisnode/workspace"
)

// problem checks that r is a problem+json answer with status want.
func problem(t *testing.T, code int, contentType, body string, want int) {
	t.Helper()
	if code != want || !strings.HasPrefix(contentType, "application/problem+json") {
		t.Fatalf("got %d %s %s, want a %d problem+json", code, contentType, body, want)
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != want || p.Title == "" {
		t.Fatalf("problem body %s: %v", body, err)
	}
}

// TestHandlerNeedsCredentials: an operation called without credentials is
// refused by the authentication middleware with 401 problem+json.
func TestHandlerNeedsCredentials(t *testing.T) {
	api := nodetest.New(t, node.Config{})
	r := api.Get("/api/agent/budget")
	problem(t, r.Code, r.Header().Get("Content-Type"), r.Body.String(), http.StatusUnauthorized)
}

// TestBudgetHandler: GET /api/agent/budget reports the key's daily budget
// as set, as a money string, nothing spent.
func TestBudgetHandler(t *testing.T) {
	api := nodetest.New(t, node.Config{})
	auth := api.Member(t, workspace.Member, access.KeyParams{BudgetDaily: 5 * money.Dollar, BudgetMonthly: budget.None, BudgetTotal: budget.None})
	r := api.Get("/api/agent/budget", auth...)
	if r.Code != http.StatusOK {
		t.Fatalf("got %d %s", r.Code, r.Body)
	}
	if !strings.Contains(r.Body.String(), `"5.00`) {
		t.Fatalf("the daily budget of 5 USD is not in %s", r.Body)
	}
}

// TestAgentRejectsBadInput: POST /api/agent with an empty message is a
// 4xx problem and writes no conversation.
func TestAgentRejectsBadInput(t *testing.T) {
	api := nodetest.New(t, node.Config{})
	auth := api.Member(t, workspace.Member, access.KeyParams{})
	r := api.Post("/api/agent", append(auth, map[string]any{"message": ""})...)
	if r.Code < 400 || r.Code >= 500 {
		t.Fatalf("an empty message got %d %s", r.Code, r.Body)
	}
	problem(t, r.Code, r.Header().Get("Content-Type"), r.Body.String(), r.Code)
	var n int
	if err := api.Node.DB().QueryRow(context.Background(), `SELECT count(*) FROM conversations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a refused message left %d conversations", n)
	}
}

// TestConversationNotFound: an unknown conversation id is 404 problem+json.
func TestConversationNotFound(t *testing.T) {
	api := nodetest.New(t, node.Config{})
	auth := api.Member(t, workspace.Viewer, access.KeyParams{})
	r := api.Get("/api/agent/conversations/01JNOSUCHCONVERSATION0000", auth...)
	problem(t, r.Code, r.Header().Get("Content-Type"), r.Body.String(), http.StatusNotFound)
}
