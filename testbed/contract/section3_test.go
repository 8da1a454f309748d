package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// DESIGN §3: the agent endpoint, with the built-in local agent.
// (A running turn — 409, cancel — needs a model the test can hold: §4's file.)
func TestSection3AgentEndpoint(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	c := n.initWorkspace(t)
	a := c.auth()

	t.Run("202 Accepted with conversation_id, queued, poll_url and Location", func(t *testing.T) {
		r := n.do(t, "POST", "/api/agent", a, `{"message": "List all contacts"}`)
		if r.Status != http.StatusAccepted {
			t.Fatalf("POST /api/agent = %s", r)
		}
		m := r.m(t)
		for _, k := range []string{"conversation_id", "status", "poll_url"} {
			if _, ok := m[k].(string); !ok {
				t.Errorf("202 body lacks %q: %s", k, r.Body)
			}
		}
		id, _ := m["conversation_id"].(string)
		if m["status"] != "queued" {
			t.Errorf("status = %v, want queued", m["status"])
		}
		if want := "/api/agent/conversations/" + id; m["poll_url"] != want {
			t.Errorf("poll_url = %v, want %s", m["poll_url"], want)
		}
		loc := r.Header.Get("Location")
		if loc == "" {
			t.Fatal("202 without Location")
		}
		// Location resolves to the conversation.
		u, err := url.Parse(n.URL + "/api/agent")
		if err != nil {
			t.Fatal(err)
		}
		ref, err := u.Parse(loc)
		if err != nil {
			t.Fatalf("Location %q: %v", loc, err)
		}
		if ref.Path != "/api/agent/conversations/"+id {
			t.Errorf("Location = %q, want the conversation's URL", loc)
		}
		if r := request(t, "GET", ref.String(), &a, nil); r.Status != http.StatusOK {
			t.Errorf("GET Location = %s", r)
		}
	})

	var created conv
	t.Run("?wait= returns the conversation (200) in the documented shape", func(t *testing.T) {
		r := n.do(t, "POST", "/api/agent?wait=30", a, map[string]any{
			"message":  "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com",
			"metadata": map[string]any{"any": "caller data, echoed back", "n": 1},
		})
		if r.Status != http.StatusOK {
			t.Fatalf("POST /api/agent?wait=30 = %s", r)
		}
		var raw map[string]json.RawMessage
		r.json(t, &raw)
		for _, k := range []string{"id", "status", "turns", "reply", "signed_reply", "cost_usd", "metadata", "created_at", "updated_at"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("conversation lacks %q: %s", k, r.Body)
			}
		}
		r.json(t, &created)
		if created.Status != "completed" || len(created.Turns) != 1 {
			t.Fatalf("conversation: %s", r.Body)
		}
		var turns []map[string]json.RawMessage
		if err := json.Unmarshal(raw["turns"], &turns); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"turn", "message", "reply", "status", "actions", "cost_usd", "started_at", "finished_at"} {
			if _, ok := turns[0][k]; !ok {
				t.Errorf("turn lacks %q: %s", k, raw["turns"])
			}
		}
		tu := created.Turns[0]
		if tu.Turn != 1 || tu.Message == "" || tu.Reply == "" || tu.Reply != created.Reply {
			t.Errorf("turn: %+v", tu)
		}
		if len(tu.Actions) != 1 {
			t.Fatalf("actions: %+v", tu.Actions)
		}
		act := tu.Actions[0]
		if act.Tool != "contacts_create" || !act.OK || !strings.HasPrefix(act.Ref, "contact/") || act.Summary == "" {
			t.Errorf("action: %+v", act)
		}
		for _, s := range []string{created.CostUSD, tu.CostUSD} {
			if !isMoney(s) {
				t.Errorf("cost_usd %q is not a decimal string", s)
			}
		}
		// Money is never a float in the JSON.
		if !strings.HasPrefix(string(raw["cost_usd"]), `"`) {
			t.Errorf("cost_usd is not a string: %s", raw["cost_usd"])
		}
		var meta map[string]any
		if err := json.Unmarshal(created.Metadata, &meta); err != nil || meta["any"] != "caller data, echoed back" || meta["n"] != float64(1) {
			t.Errorf("metadata not echoed: %s", created.Metadata)
		}
		if strings.Count(created.SignedReply, ".") != 2 {
			t.Errorf("signed_reply is not a compact JWS: %q", created.SignedReply)
		}
		// GET returns the same conversation.
		g := n.do(t, "GET", "/api/agent/conversations/"+created.ID, a, nil)
		var got conv
		g.json(t, &got)
		if g.Status != http.StatusOK || got.ID != created.ID || got.Status != "completed" || len(got.Turns) != 1 || string(got.Metadata) != string(created.Metadata) {
			t.Errorf("GET conversation = %s", g)
		}
	})

	t.Run("GET ?wait= long-polls until the turn stops", func(t *testing.T) {
		r := n.do(t, "POST", "/api/agent", a, `{"message": "find Jane"}`)
		var acc accepted
		r.json(t, &acc)
		g := n.do(t, "GET", "/api/agent/conversations/"+acc.ConversationID+"?wait=20", a, nil)
		var cv conv
		g.json(t, &cv)
		if g.Status != http.StatusOK || cv.Status != "completed" {
			t.Errorf("GET ?wait=20 = %s", g)
		}
	})

	t.Run("wait is at most 60 seconds", func(t *testing.T) {
		r := n.do(t, "POST", "/api/agent?wait=61", a, `{"message": "find Jane"}`)
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("?wait=61 = %s, want a 4xx problem", r)
		} else {
			checkProblem(t, r, r.Status)
		}
	})

	t.Run("Idempotency-Key: same key and body is the original response, no second run", func(t *testing.T) {
		body := `{"message": "Create a contact for Idem Potent, idem@example.com"}`
		r1 := n.do(t, "POST", "/api/agent", a, body, "Idempotency-Key", "idem-1")
		r2 := n.do(t, "POST", "/api/agent", a, body, "Idempotency-Key", "idem-1")
		if r1.Status != http.StatusAccepted || r2.Status != http.StatusAccepted {
			t.Fatalf("%s / %s", r1, r2)
		}
		var a1, a2 accepted
		r1.json(t, &a1)
		r2.json(t, &a2)
		if a1.ConversationID != a2.ConversationID {
			t.Fatalf("replay made another conversation: %s vs %s", a1.ConversationID, a2.ConversationID)
		}
		cv := n.waitStopped(t, a, a1.ConversationID)
		if len(cv.Turns) != 1 {
			t.Errorf("replay ran a second turn: %d turns", len(cv.Turns))
		}
		// A replay after the run gives the original response again, not a new run.
		r3 := n.do(t, "POST", "/api/agent", a, body, "Idempotency-Key", "idem-1")
		var a3 accepted
		r3.json(t, &a3)
		if a3.ConversationID != a1.ConversationID {
			t.Errorf("late replay: %s", r3)
		}
		list := n.send(t, a, map[string]any{"message": "Look up idem@example.com"})
		if strings.Count(list.Reply, "Idem Potent") != 1 {
			t.Errorf("contact created more than once? %q", list.Reply)
		}
		// Same key, different body: 422.
		r4 := n.do(t, "POST", "/api/agent", a, `{"message": "something else"}`, "Idempotency-Key", "idem-1")
		checkProblem(t, r4, http.StatusUnprocessableEntity)
		// A key up to 255 characters is fine; longer is refused.
		if r := n.do(t, "POST", "/api/agent", a, `{"message": "find Jane"}`, "Idempotency-Key", strings.Repeat("k", 255)); r.Status != http.StatusAccepted {
			t.Errorf("255-character Idempotency-Key: %s", r)
		}
		if r := n.do(t, "POST", "/api/agent", a, `{"message": "find Jane"}`, "Idempotency-Key", strings.Repeat("k", 256)); r.Status < 400 || r.Status >= 500 {
			t.Errorf("256-character Idempotency-Key: %s, want 4xx", r)
		}
	})

	t.Run("400 malformed", func(t *testing.T) {
		for _, body := range []string{`{"message":`, `not json`, `{"message": "x"} trailing`} {
			checkProblem(t, n.do(t, "POST", "/api/agent", a, body), http.StatusBadRequest)
		}
	})

	t.Run("422 validation", func(t *testing.T) {
		for _, body := range []string{`{"message": ""}`, `{}`, `{"message": 42}`, `{"message": "   "}`, `["message"]`} {
			r := n.do(t, "POST", "/api/agent", a, body)
			if r.Status == http.StatusBadRequest {
				// A wrong JSON type may be called malformed; both are caller errors.
				checkProblem(t, r, http.StatusBadRequest)
				continue
			}
			checkProblem(t, r, http.StatusUnprocessableEntity)
		}
	})

	t.Run("413 above 64 KiB, not at it", func(t *testing.T) {
		mk := func(size int) string {
			prefix, suffix := `{"message": "find `, `"}`
			return prefix + strings.Repeat("x", size-len(prefix)-len(suffix)) + suffix
		}
		at := mk(64 << 10)
		if r := n.do(t, "POST", "/api/agent", a, at); r.Status == http.StatusRequestEntityTooLarge || r.Status >= 500 {
			t.Errorf("a body of exactly 64 KiB: %s", r)
		}
		checkProblem(t, n.do(t, "POST", "/api/agent", a, mk(64<<10+1)), http.StatusRequestEntityTooLarge)
		checkProblem(t, n.do(t, "POST", "/api/agent", a, mk(1<<20)), http.StatusRequestEntityTooLarge)
	})

	t.Run("404 unknown conversation, indistinguishable from another workspace's", func(t *testing.T) {
		other := n.initWorkspace(t)
		o := other.auth()
		unknown := "01M8ZZZZZZZZZZZZZZZZZZZZZZ"
		pairs := []struct {
			method, path string
			body         func(id string) any
		}{
			{"GET", "/api/agent/conversations/%s", nil},
			{"POST", "/api/agent/conversations/%s/cancel", nil},
			{"POST", "/api/agent", func(id string) any { return map[string]any{"message": "find Jane", "conversation_id": id} }},
		}
		for _, p := range pairs {
			do := func(id string) resp {
				path := p.path
				if strings.Contains(path, "%s") {
					path = fmt.Sprintf(path, id)
				}
				var body any
				if p.body != nil {
					body = p.body(id)
				}
				return n.do(t, p.method, path, o, body)
			}
			mine, theirs := do(unknown), do(created.ID)
			pm := checkProblem(t, mine, http.StatusNotFound)
			pt := checkProblem(t, theirs, http.StatusNotFound)
			if pm == nil || pt == nil {
				continue
			}
			norm := func(s []byte, id string) string { return strings.ReplaceAll(string(s), id, "<id>") }
			if norm(mine.Body, unknown) != norm(theirs.Body, created.ID) {
				t.Errorf("%s %s: unknown id and another workspace's id answer differently:\n%s\n%s", p.method, p.path, mine.Body, theirs.Body)
			}
		}
	})

	t.Run("input_required, answered with the same conversation_id", func(t *testing.T) {
		for i := 1; i <= 6; i++ {
			cv := n.send(t, a, map[string]any{"message": fmt.Sprintf("Create a contact for Bulk Person%c, bulk%d@example.com, at Bulkco", 'A'+i, i)})
			if cv.Status != "completed" || !hasOKAction(cv.Turns[0].Actions, "contacts_create") {
				t.Fatalf("create %d: %+v", i, cv)
			}
		}
		cv := n.send(t, a, map[string]any{"message": "Delete all contacts from Bulkco"})
		if cv.Status != "input_required" || cv.Reply == "" {
			t.Fatalf("bulk delete of 6: status %q reply %q, want input_required with a question", cv.Status, cv.Reply)
		}
		if len(cv.Turns[0].Actions) != 0 && hasOKAction(cv.Turns[0].Actions, "contacts_delete") {
			t.Fatalf("deleted before confirmation: %+v", cv.Turns[0].Actions)
		}
		cv = n.send(t, a, map[string]any{"message": "yes", "conversation_id": cv.ID})
		if cv.Status != "completed" || len(cv.Turns) != 2 || !hasOKAction(cv.Turns[1].Actions, "contacts_delete") {
			t.Errorf("after yes: %+v", cv)
		}
	})

	t.Run("list: the key's conversations, by status, paged", func(t *testing.T) {
		// Another key of the same workspace has its own list.
		k2 := n.keyCreate(t, c.WorkspaceID, "--name", "second")
		mine := n.send(t, auth{c.Token, k2}, map[string]any{"message": "find Jane"})
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			path := "/api/agent/conversations?status=completed&limit=2"
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			r := n.do(t, "GET", path, a, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s = %s", path, r)
			}
			var page struct {
				Conversations []conv `json:"conversations"`
				NextCursor    string `json:"next_cursor"`
			}
			r.json(t, &page)
			pages++
			if len(page.Conversations) > 2 {
				t.Fatalf("limit=2 returned %d", len(page.Conversations))
			}
			for _, cv := range page.Conversations {
				if cv.Status != "completed" {
					t.Errorf("status=completed listed %s %s", cv.ID, cv.Status)
				}
				if seen[cv.ID] {
					t.Errorf("%s listed twice", cv.ID)
				}
				seen[cv.ID] = true
			}
			if page.NextCursor == "" || pages > 50 {
				break
			}
			cursor = page.NextCursor
		}
		if pages < 2 || !seen[created.ID] {
			t.Errorf("paging: %d pages, %d conversations, created listed %v", pages, len(seen), seen[created.ID])
		}
		if seen[mine.ID] {
			t.Errorf("another key's conversation is listed")
		}
		r := n.do(t, "GET", "/api/agent/conversations?status=input_required", a, nil)
		if r.Status != http.StatusOK {
			t.Errorf("status=input_required: %s", r)
		}
		checkProblem(t, n.do(t, "GET", "/api/agent/conversations?status=bogus", a, nil), http.StatusUnprocessableEntity)
	})

	t.Run("cancel with nothing running is 409", func(t *testing.T) {
		checkProblem(t, n.do(t, "POST", "/api/agent/conversations/"+created.ID+"/cancel", a, nil), http.StatusConflict)
	})

	t.Run("budget: the key's budgets, spent, reserved, resets_at", func(t *testing.T) {
		k := n.keyCreate(t, c.WorkspaceID, "--budget-daily", "5", "--budget-monthly", "50", "--budget-total", "100")
		r := n.do(t, "GET", "/api/agent/budget", auth{c.Token, k}, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET /api/agent/budget = %s", r)
		}
		var b struct {
			Budgets []map[string]any `json:"budgets"`
		}
		r.json(t, &b)
		names := map[string]map[string]any{}
		for _, w := range b.Budgets {
			name, _ := w["budget"].(string)
			names[name] = w
			for _, f := range []string{"limit_usd", "spent_usd", "reserved_usd"} {
				if s, _ := w[f].(string); !isMoney(s) {
					t.Errorf("%s.%s = %v, want a decimal string", name, f, w[f])
				}
			}
		}
		for _, name := range []string{"daily", "monthly", "total"} {
			if names[name] == nil {
				t.Errorf("budget %q missing: %s", name, r.Body)
			}
		}
		for _, name := range []string{"daily", "monthly"} {
			if s, _ := names[name]["resets_at"].(string); s == "" {
				t.Errorf("%s budget has no resets_at: %s", name, r.Body)
			}
		}
		if names["daily"]["limit_usd"] != "5.00" && names["daily"]["limit_usd"] != "5.000000" && names["daily"]["limit_usd"] != "5" {
			t.Errorf("daily limit_usd = %v", names["daily"]["limit_usd"])
		}
	})

	t.Run("every error is problem+json", func(t *testing.T) {
		checkProblem(t, n.do(t, "GET", "/api/no-such-path", a, nil), http.StatusNotFound)
		checkProblem(t, n.do(t, "DELETE", "/api/agent", a, nil), http.StatusMethodNotAllowed)
		checkProblem(t, n.do(t, "GET", "/api/agent/conversations/x/y/z", a, nil), http.StatusNotFound)
	})
}
