package scenario_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/files"
)

// Issue "Real LLM agents": the loop with real provider clients, each
// scenario checked in the database, the receipts and the ledger.

func TestContactCreatedByFunctionCall(t *testing.T) {
	matrix(t, nil, budgeted, func(t *testing.T, e *env) {
		e.fake.enqueue(
			calls(call{"contacts_create", map[string]any{"name": "Jane Doe", "email": "jane@acme.com", "company": "Acme Corp", "title": "CEO"}}),
			text("Created the contact Jane Doe, CEO of Acme Corp."),
		)
		cv := send(t, e.n, e.c, "", "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com")
		if cv.Status != "completed" || cv.Reply != "Created the contact Jane Doe, CEO of Acme Corp." {
			t.Fatalf("conversation: %+v", cv)
		}

		var id, name, company, title string
		err := e.n.DB().QueryRow(t.Context(), `SELECT id, name, company, title FROM contacts WHERE workspace_id = ? AND email = ?`,
			e.c.WorkspaceID, "jane@acme.com").Scan(&id, &name, &company, &title)
		if err != nil || name != "Jane Doe" || company != "Acme Corp" || title != "CEO" {
			t.Fatalf("contact row: %v %q %q %q", err, name, company, title)
		}
		if n := count(t, e.n.DB(), `SELECT count(*) FROM contacts WHERE workspace_id = ?`, e.c.WorkspaceID); n != 1 {
			t.Errorf("%d contacts, want 1", n)
		}
		acts := cv.Turns[0].Actions
		if len(acts) != 1 || acts[0].Tool != "contacts_create" || !acts[0].OK || acts[0].Ref != "contact/"+id {
			t.Errorf("receipts %+v, want one contacts_create of contact/%s", acts, id)
		}

		reqs := e.fake.requests()
		if len(reqs) != 2 {
			t.Fatalf("%d model calls, want 2", len(reqs))
		}
		if !reqs[0].declares("contacts_create") || !reqs[0].declares("ask_caller") {
			t.Errorf("tools declared: %v", reqs[0].Tools)
		}
		if u := reqs[0].userTexts(); len(u) != 1 || !strings.Contains(u[0], "Jane Doe, CEO of Acme Corp") {
			t.Errorf("user messages sent: %q", u)
		}
		res := reqs[1].results()
		if len(res) != 1 || res[0].Name != "contacts_create" || !strings.Contains(res[0].Content, id) {
			t.Errorf("the model was not shown the created contact: %+v", res)
		}
		if err := reqs[1].wellFormed(); err != nil {
			t.Error(err)
		}
		checkBilling(t, e, cv)
	})
}

func TestSearchThenEmailWithAttachment(t *testing.T) {
	matrix(t, nil, budgeted, func(t *testing.T, e *env) {
		contactID, fileID := seedContactAndFile(t, e)
		e.fake.handle(func(n int, r request) reply {
			switch n {
			case 1:
				return calls(call{"contacts_search", map[string]any{"query": "Jane"}})
			case 2: // pick the id out of the search result, as a model would
				res := r.results()
				var page struct {
					Contacts []struct{ ID, Name string } `json:"contacts"`
				}
				if len(res) == 1 {
					_ = json.Unmarshal([]byte(res[0].Content), &page)
				}
				if len(page.Contacts) != 1 || page.Contacts[0].ID != contactID {
					return text("I could not find Jane.")
				}
				return calls(call{"email_send", map[string]any{
					"to": []string{page.Contacts[0].ID}, "subject": "Q3 report",
					"body": "Hi Jane, the Q3 report is attached.", "attachments": []string{fileID},
				}})
			}
			return text("I queued the email with the Q3 report for Jane; no mail relay is configured, so it was not sent.")
		})
		cv := send(t, e.n, e.c, "", "Find Jane and email her the Q3 report")
		if cv.Status != "completed" || e.fake.calls() != 3 {
			t.Fatalf("conversation after %d model calls: %+v", e.fake.calls(), cv)
		}

		var emailID, status, to, atts string
		err := e.n.DB().QueryRow(t.Context(), `SELECT id, status, to_addrs, attachments FROM emails WHERE workspace_id = ?`,
			e.c.WorkspaceID).Scan(&emailID, &status, &to, &atts)
		if err != nil {
			t.Fatalf("email row: %v", err)
		}
		if !strings.HasPrefix(status, "not_sent") || !strings.Contains(to, "jane@acme.com") || !strings.Contains(atts, fileID) {
			t.Errorf("email: status %q to %s attachments %s", status, to, atts)
		}
		acts := cv.Turns[0].Actions
		if len(acts) != 1 || acts[0].Tool != "email_send" || acts[0].OK || acts[0].Ref != "email/"+emailID ||
			!strings.Contains(acts[0].Summary, "not sent") {
			t.Errorf("receipts %+v: want one honest email_send receipt, ok=false, naming email/%s", acts, emailID)
		}
		reqs := e.fake.requests()
		if last := reqs[2].results(); len(last) != 2 || !strings.Contains(last[1].Content, `"sent":false`) {
			t.Errorf("the model was not told the email was not sent: %+v", last)
		}
		for i, r := range reqs {
			if err := r.wellFormed(); err != nil {
				t.Errorf("request %d: %v", i+1, err)
			}
		}
		checkBilling(t, e, cv)
	})
}

// seedContactAndFile stores Jane Doe and a file the way the API would.
func seedContactAndFile(t *testing.T, e *env) (contactID, fileID string) {
	t.Helper()
	ctx := context.Background()
	caller := workspace.Caller{WorkspaceID: e.c.WorkspaceID, MemberID: e.c.MemberID, Role: workspace.Owner, KeyID: e.c.KeyID}
	err := e.n.DB().InTx(ctx, func(tx store.Tx) error {
		c, err := contacts.Create(ctx, tx, e.c.WorkspaceID, e.c.MemberID, contacts.Fields{Name: "Jane Doe", Email: "jane@acme.com", Company: "Acme Corp"}, time.Now())
		if err != nil {
			return err
		}
		f, err := (&files.Service{}).Put(ctx, tx, caller, "", "q3-report.txt", "text/plain", strings.NewReader("Q3 revenue: up 12%.\n"))
		contactID, fileID = c.ID, f.ID
		return err
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return contactID, fileID
}

func TestAskCallerThenAnswer(t *testing.T) {
	const question = "Which Jane do you mean: Jane Doe (Acme Corp) or Jane Roe (Globex)?"
	matrix(t, nil, budgeted, func(t *testing.T, e *env) {
		e.fake.enqueue(calls(call{"ask_caller", map[string]any{"question": question}}))
		cv := send(t, e.n, e.c, "", "Add a note to Jane's contact")
		if cv.Status != "input_required" || cv.Reply != question || cv.Turns[0].Status != "input_required" {
			t.Fatalf("first turn: %+v", cv)
		}

		e.fake.enqueue(text("Thanks, I will use Jane Doe at Acme Corp."))
		cv = send(t, e.n, e.c, cv.ID, "Jane Doe at Acme Corp")
		if cv.Status != "completed" || len(cv.Turns) != 2 || cv.Turns[1].Reply != "Thanks, I will use Jane Doe at Acme Corp." {
			t.Fatalf("second turn: %+v", cv)
		}
		reqs := e.fake.requests()
		if len(reqs) != 2 {
			t.Fatalf("%d model calls, want 2", len(reqs))
		}
		second := reqs[1]
		if u := second.userTexts(); len(u) != 2 || u[0] != "Add a note to Jane's contact" || u[1] != "Jane Doe at Acme Corp" {
			t.Errorf("user messages of the second call: %q", u)
		}
		asked := false
		for _, m := range second.Msgs {
			for _, c := range m.Calls {
				asked = asked || c.Name == "ask_caller" && argsOf(t, c)["question"] == question
			}
			asked = asked || m.Role == "model" && m.Text == question
		}
		if !asked {
			t.Errorf("the second call does not show the question asked: %+v", second.Msgs)
		}
		if err := second.wellFormed(); err != nil {
			t.Errorf("the second call's context would be rejected by the real API: %v", err)
		}
		checkBilling(t, e, cv)
	})
}

func TestRateLimitedThenSuccess(t *testing.T) {
	matrix(t, nil, budgeted, func(t *testing.T, e *env) {
		e.fake.enqueue(limited(time.Second), text("Done."))
		cv := send(t, e.n, e.c, "", "Say done")
		if cv.Status != "completed" || cv.Reply != "Done." {
			t.Fatalf("conversation: %+v", cv)
		}
		reqs := e.fake.requests()
		if len(reqs) != 2 {
			t.Fatalf("%d model calls, want 2", len(reqs))
		}
		if gap := reqs[1].At.Sub(reqs[0].At); gap < 950*time.Millisecond {
			t.Errorf("retried after %v, before Retry-After: 1", gap)
		}
		if string(reqs[0].Body) != string(reqs[1].Body) {
			t.Errorf("the retry is not the same request")
		}
		checkBilling(t, e, cv) // one ledger row: the 429 is not billed
	})
}

func TestServerErrorsUntilDeadline(t *testing.T) {
	const timeout = 3 * time.Second
	tweak := func(c *node.Config) { c.TurnTimeout = timeout }
	matrix(t, tweak, budgeted, func(t *testing.T, e *env) {
		e.fake.handle(func(int, request) reply { return failure(500) })
		start := time.Now()
		cv := send(t, e.n, e.c, "", "Say hello")
		if took := time.Since(start); took > timeout+2*time.Second {
			t.Errorf("the turn took %v, past its deadline of %v", took, timeout)
		}
		if cv.Status != "failed" || !strings.Contains(cv.Error, "unavailable") || !strings.Contains(cv.Error, "deadline") ||
			!strings.HasPrefix(cv.Reply, "The request failed") {
			t.Fatalf("conversation: %+v", cv)
		}
		if e.fake.calls() < 2 {
			t.Errorf("%d model calls: no retry", e.fake.calls())
		}
		if rows := ledger(t, e.n.DB(), "key_id = ?", e.c.KeyID); len(rows) != 0 || cv.CostUSD != "0.000000" {
			t.Errorf("failed calls were billed: %+v, cost %s", rows, cv.CostUSD)
		}
		b := getBudget(t, e.n, e.c)
		if w := b.Budgets[0]; w.ReservedUSD != "0.00" || w.SpentUSD != "0.00" || w.RemainingUSD != "5.00" {
			t.Errorf("hold not released: %+v", w)
		}
		if n := count(t, e.n.DB(), `SELECT count(*) FROM budget_holds WHERE key_id = ?`, e.c.KeyID); n != 0 {
			t.Errorf("%d holds left", n)
		}
	})
}

func TestUnknownToolIsAnError(t *testing.T) {
	matrix(t, nil, budgeted, func(t *testing.T, e *env) {
		e.fake.enqueue(
			calls(call{"crm_teleport", map[string]any{"to": "mars"}}),
			text("Sorry, I cannot do that."),
		)
		cv := send(t, e.n, e.c, "", "Teleport the CRM to Mars")
		if cv.Status != "completed" || cv.Reply != "Sorry, I cannot do that." || len(cv.Turns[0].Actions) != 0 {
			t.Fatalf("conversation: %+v", cv)
		}
		res := e.fake.requests()[1].results()
		if len(res) != 1 || res[0].Name != "crm_teleport" || len(missing(res[0].Content, "error", "unknown tool")) > 0 {
			t.Errorf("the model was not given a tool error: %+v", res)
		}
		checkBilling(t, e, cv)
	})
}

func TestToolOutsideScopeIsNotRun(t *testing.T) {
	key := budgeted
	key.Scopes = []string{"contacts:read"}
	matrix(t, nil, key, func(t *testing.T, e *env) {
		e.fake.enqueue(
			calls(call{"contacts_create", map[string]any{"name": "Mallory"}}),
			text("I am not allowed to create contacts with this key."),
		)
		cv := send(t, e.n, e.c, "", "Create a contact for Mallory")
		if cv.Status != "completed" {
			t.Fatalf("conversation: %+v", cv)
		}
		for _, a := range cv.Turns[0].Actions {
			if a.OK {
				t.Errorf("receipt of an action that must not have happened: %+v", a)
			}
		}
		if n := count(t, e.n.DB(), `SELECT count(*) FROM contacts WHERE workspace_id = ?`, e.c.WorkspaceID); n != 0 {
			t.Errorf("%d contacts written by a read-only key", n)
		}
		reqs := e.fake.requests()
		first := reqs[0]
		if first.declares("contacts_create") || !first.declares("contacts_search") {
			t.Errorf("tools declared to a contacts:read key: %v", first.Tools)
		}
		for _, name := range first.Tools {
			if strings.HasPrefix(name, "tasks_") || name == "email_send" {
				t.Errorf("tool %s declared to a contacts:read key", name)
			}
		}
		res := reqs[1].results()
		if len(res) != 1 || len(missing(res[0].Content, "error", "contacts:write")) > 0 {
			t.Errorf("the model was not told the tool is not allowed: %+v", res)
		}
		checkBilling(t, e, cv)
	})
}

func TestStepLimit(t *testing.T) {
	tweak := func(c *node.Config) { c.MaxSteps = 3 }
	matrix(t, tweak, budgeted, func(t *testing.T, e *env) {
		e.fake.handle(func(int, request) reply {
			return calls(call{"contacts_search", map[string]any{"query": "again"}})
		})
		cv := send(t, e.n, e.c, "", "Search forever")
		if cv.Status != "failed" || !strings.Contains(cv.Error, "step limit") || !strings.HasPrefix(cv.Reply, "The request failed") {
			t.Fatalf("conversation: %+v", cv)
		}
		if n := e.fake.calls(); n != 3 {
			t.Errorf("%d model calls, want the limit of 3", n)
		}
		checkBilling(t, e, cv)
		if cv.CostUSD == money.Micro(0).String() {
			t.Errorf("the three calls cost nothing")
		}
	})
}
