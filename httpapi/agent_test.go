package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// eachAPI runs fn on a Server over SQLite and over PostgreSQL.
func eachAPI(t *testing.T, o httpapitest.Options, fn func(t *testing.T, api *httpapitest.API)) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			o.DatabaseURL = url
			fn(t, httpapitest.New(t, o))
		})
	}
}

// send posts a message as c (args: further headers).
func send(api *httpapitest.API, c testbed.Creds, body any, args ...any) *httptest.ResponseRecorder {
	return api.Post("/api/agent", append(append(httpapitest.Auth(c), args...), body)...)
}

// TestHandlerNeedsCredentials: an operation called without credentials is
// refused by the authentication middleware with 401 problem+json.
func TestHandlerNeedsCredentials(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	problem(t, api.Get("/api/agent/budget"), http.StatusUnauthorized)
}

// TestBudgetHandler: GET /api/agent/budget reports the key's daily budget
// as set, as a money string, nothing spent.
func TestBudgetHandler(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Member, access.KeyParams{BudgetDaily: 5 * money.Dollar, BudgetMonthly: budget.None, BudgetTotal: budget.None})
	r := api.Get("/api/agent/budget", httpapitest.Auth(c)...)
	var got httpapi.BudgetStatus
	decode(t, r, &got)
	if r.Code != http.StatusOK || got.KeyID != c.KeyID || len(got.Budgets) != 1 ||
		got.Budgets[0].LimitUSD != "5.00" || got.Budgets[0].SpentUSD != "0.00" {
		t.Fatalf("got %d %s", r.Code, r.Body)
	}
}

// TestAcceptQueuesTheTurn: a message is accepted (202, Location, poll
// URL) in one transaction with its turn and the turn's job; the
// conversation reads back queued.
func TestAcceptQueuesTheTurn(t *testing.T) {
	eachAPI(t, httpapitest.Options{}, func(t *testing.T, api *httpapitest.API) {
		c := api.Workspace(t, workspace.Member, access.KeyParams{})
		r := send(api, c, map[string]any{"message": "hello", "metadata": map[string]any{"ticket": 7}})
		var a httpapi.Accepted
		decode(t, r, &a)
		if r.Code != http.StatusAccepted || a.Status != "queued" || a.PollURL != "/api/agent/conversations/"+a.ConversationID ||
			r.Header().Get("Location") != a.PollURL {
			t.Fatalf("POST = %d %v %s", r.Code, r.Header(), r.Body)
		}
		if got := rows(t, api.DB); got != "conversations=1 turns=1 idempotency_keys=0 river_job=1" {
			t.Fatalf("accepting wrote %s", got)
		}
		g := api.Get(a.PollURL, httpapitest.Auth(c)...)
		if g.Code != http.StatusOK || !strings.Contains(g.Body.String(), `"status":"queued"`) || !strings.Contains(g.Body.String(), `"ticket":7`) {
			t.Fatalf("GET = %d %s", g.Code, g.Body)
		}
	})
}

// TestBadInputChangesNothing: every refused message (bad body, bad
// credentials, limits, unknown or foreign conversation) is problem+json
// and writes nothing; another workspace's conversation is 404 exactly
// like an unknown one.
func TestBadInputChangesNothing(t *testing.T) {
	eachAPI(t, httpapitest.Options{}, func(t *testing.T, api *httpapitest.API) {
		c := api.Workspace(t, workspace.Owner, access.KeyParams{})
		other := api.Workspace(t, workspace.Owner, access.KeyParams{})
		revoked := api.Workspace(t, workspace.Owner, access.KeyParams{})
		if err := access.RevokeKey(t.Context(), api.DB, revoked.WorkspaceID, revoked.KeyID, time.Now()); err != nil {
			t.Fatal(err)
		}
		var theirs httpapi.Accepted
		decode(t, send(api, other, map[string]any{"message": "theirs"}), &theirs)

		big := `{"message": "` + strings.Repeat("a", 70<<10) + `"}`
		cases := []struct {
			name   string
			creds  testbed.Creds
			body   any
			path   string
			status int
		}{
			{"malformed json", c, strings.NewReader(`{"message": `), "/api/agent", 400},
			{"no credentials", testbed.Creds{}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"token only", testbed.Creds{Token: c.Token}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"key of another workspace", testbed.Creds{Token: c.Token, APIKey: other.APIKey}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"revoked key", revoked, map[string]any{"message": "x"}, "/api/agent", 401},
			{"wrong key", testbed.Creds{Token: c.Token, APIKey: "sois_" + strings.Repeat("a", 52)}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"empty message", c, map[string]any{"message": "   "}, "/api/agent", 422},
			{"missing message", c, map[string]any{}, "/api/agent", 422},
			{"control characters", c, map[string]any{"message": "a\x00b"}, "/api/agent", 422},
			{"too large", c, strings.NewReader(big), "/api/agent", 413},
			{"invalid utf-8", c, bytes.NewReader([]byte("{\"message\": \"caf\xe9\"}")), "/api/agent", 400},
			{"unknown conversation", c, map[string]any{"message": "x", "conversation_id": "01JNOTAREALCONVERSATIONID0"}, "/api/agent", 404},
			{"another workspace's conversation", c, map[string]any{"message": "x", "conversation_id": theirs.ConversationID}, "/api/agent", 404},
			{"wait too long", c, map[string]any{"message": "x"}, "/api/agent?wait=61", 422},
		}
		before := rows(t, api.DB)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				args := append(httpapitest.Auth(tc.creds), "Content-Type: application/json", tc.body)
				problem(t, api.Post(tc.path, args...), tc.status)
			})
		}
		if after := rows(t, api.DB); after != before {
			t.Fatalf("rejected requests stored rows: before %s after %s", before, after)
		}
		a := problem(t, api.Get("/api/agent/conversations/"+theirs.ConversationID, httpapitest.Auth(c)...), 404)
		b := problem(t, api.Get("/api/agent/conversations/01JNOTAREALCONVERSATIONID0", httpapitest.Auth(c)...), 404)
		if strings.Replace(a, theirs.ConversationID, "ID", 1) != strings.Replace(b, "01JNOTAREALCONVERSATIONID0", "ID", 1) {
			t.Fatalf("another workspace's conversation %q differs from an unknown one %q", a, b)
		}
	})
}

// TestIdempotencyAndConflict: the same Idempotency-Key and body answers
// the original 202 without a second turn; the same key with another body
// is 422; a message to a conversation whose turn is queued is 409; cancel
// ends the queued turn once, then 409.
func TestIdempotencyAndConflict(t *testing.T) {
	eachAPI(t, httpapitest.Options{}, func(t *testing.T, api *httpapitest.API) {
		c := api.Workspace(t, workspace.Member, access.KeyParams{})
		body := map[string]any{"message": "only once"}
		r1 := send(api, c, body, "Idempotency-Key: abc")
		r2 := send(api, c, body, "Idempotency-Key: abc")
		var a1, a2 httpapi.Accepted
		decode(t, r1, &a1)
		decode(t, r2, &a2)
		if r1.Code != 202 || r2.Code != 202 || a1.ConversationID != a2.ConversationID {
			t.Fatalf("idempotent replay: %d %s / %d %s", r1.Code, r1.Body, r2.Code, r2.Body)
		}
		problem(t, send(api, c, map[string]any{"message": "different"}, "Idempotency-Key: abc"), 422)
		problem(t, send(api, c, map[string]any{"message": "more", "conversation_id": a1.ConversationID}), http.StatusConflict)

		cancel := "/api/agent/conversations/" + a1.ConversationID + "/cancel"
		r := api.Post(cancel, httpapitest.Auth(c)...)
		if r.Code != 200 || !strings.Contains(r.Body.String(), `"status":"canceled"`) || api.Canceled.Load() != 1 {
			t.Fatalf("cancel = %d %s (canceled counted %d)", r.Code, r.Body, api.Canceled.Load())
		}
		problem(t, api.Post(cancel, httpapitest.Auth(c)...), http.StatusConflict)
		if n := count(t, api.DB, `SELECT count(*) FROM turns WHERE conversation_id = ?`, a1.ConversationID); n != 1 {
			t.Fatalf("turns stored = %d, want 1", n)
		}
	})
}

// TestConversationBelongsToItsKey: another key of the same workspace can
// neither read, cancel nor continue a conversation; it is simply not found.
func TestConversationBelongsToItsKey(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Owner, access.KeyParams{})
	var a httpapi.Accepted
	decode(t, send(api, c, map[string]any{"message": "mine"}), &a)
	other := testbed.AddKey(t, api.DB, c)
	problem(t, api.Get("/api/agent/conversations/"+a.ConversationID, httpapitest.Auth(other)...), http.StatusNotFound)
	problem(t, api.Post("/api/agent/conversations/"+a.ConversationID+"/cancel", httpapitest.Auth(other)...), http.StatusNotFound)
	problem(t, send(api, other, map[string]any{"message": "x", "conversation_id": a.ConversationID}), http.StatusNotFound)
	if r := api.Get("/api/agent/conversations/"+a.ConversationID, httpapitest.Auth(c)...); r.Code != http.StatusOK {
		t.Errorf("own conversation = %d %s", r.Code, r.Body)
	}
	if api.Canceled.Load() != 0 {
		t.Errorf("a refused cancel was counted")
	}
}

// TestListConversationsPages: the key's conversations, newest first, page
// by page with next_cursor; another key's are not listed.
func TestListConversationsPages(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Member, access.KeyParams{})
	send(api, testbed.AddKey(t, api.DB, c), map[string]any{"message": "another key's"})
	var want []string
	for i := range 5 {
		var a httpapi.Accepted
		decode(t, send(api, c, map[string]any{"message": strings.Repeat("m", i+1)}), &a)
		want = append([]string{a.ConversationID}, want...)
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		r := api.Get("/api/agent/conversations?limit=2&cursor="+cursor, httpapitest.Auth(c)...)
		var page struct {
			Conversations []struct {
				ID    string
				Turns []json.RawMessage `json:"turns"`
			} `json:"conversations"`
			NextCursor string `json:"next_cursor"`
		}
		decode(t, r, &page)
		for _, cv := range page.Conversations {
			got = append(got, cv.ID)
			if cv.Turns == nil || len(cv.Turns) != 0 { // as the operation's description says
				t.Fatalf("a listed conversation with turns %v, want []", cv.Turns)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %v, want %v", got, want)
	}
	problem(t, api.Get("/api/agent/conversations?limit=101", httpapitest.Auth(c)...), 422)
	problem(t, api.Get("/api/agent/conversations?status=lost", httpapitest.Auth(c)...), 422)
}
