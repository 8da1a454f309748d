package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/webhook"
)

// check runs every expectation and records the callers' figures.
func (r *run) check(ctx context.Context) {
	for _, cs := range r.spec.Callers {
		r.rep.Callers = append(r.rep.Callers, r.figures(ctx, r.callers[cs.Name]))
	}
	for _, e := range r.spec.Expect {
		name, problems := r.expect(ctx, e)
		r.rep.Checks = append(r.rep.Checks, CheckResult{Check: name, Passed: len(problems) == 0, Problems: capList(problems, 20)})
	}
}

func capList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("… and %d more", len(s)-n))
}

func (r *run) expect(ctx context.Context, e Expect) (string, []string) {
	switch {
	case e.Completed != "":
		return "completed: " + e.Completed, r.checkCompleted(ctx, r.callers[e.Completed])
	case e.ExactlyOnce != "":
		return "exactly once: " + e.ExactlyOnce, r.checkExactlyOnce(ctx, r.callers[e.ExactlyOnce])
	case e.Webhooks != nil:
		return "webhooks: " + e.Webhooks.Caller, r.checkWebhooks(r.callers[e.Webhooks.Caller], e.Webhooks.Schedule)
	case e.Budget != nil:
		return "budget: " + e.Budget.Caller, r.checkBudget(ctx, r.callers[e.Budget.Caller])
	case e.Contacts != nil:
		return "contacts on " + e.Contacts.Node, r.checkContacts(ctx, e.Contacts)
	case e.Negotiated != nil:
		return "negotiations on " + e.Negotiated.Node, r.checkNegotiated(ctx, e.Negotiated)
	}
	return "?", []string{"unknown expectation"}
}

// checkCompleted: every message has its own conversation, completed, and
// the database holds exactly one conversation per message.
func (r *run) checkCompleted(ctx context.Context, c *caller) []string {
	var out []string
	out = append(out, c.errs...)
	out = append(out, c.mismatch...)
	seen := map[string]int{}
	for i, id := range c.convs {
		switch {
		case id == "":
			out = append(out, fmt.Sprintf("message %d has no conversation", i+1))
		case seen[id] != 0:
			out = append(out, fmt.Sprintf("messages %d and %d share conversation %s", seen[id], i+1, id))
		case c.final[i].Status != "completed":
			out = append(out, fmt.Sprintf("message %d: conversation %s is %s %s", i+1, id, c.final[i].Status, c.final[i].Error))
		}
		seen[id] = i + 1
	}
	for _, rf := range c.refusals {
		out = append(out, fmt.Sprintf("message %d refused: %d %s", rf.N, rf.Status, rf.Body.Detail))
	}
	var n int
	if err := r.groupOf[c.spec.Nodes[0]].db.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE key_id = ?`, c.keyID).Scan(&n); err != nil {
		out = append(out, err.Error())
	} else if n != c.count {
		out = append(out, fmt.Sprintf("the database holds %d conversations for %d messages", n, c.count))
	}
	return out
}

// checkExactlyOnce: each conversation has one turn that ran to completion
// once, and each side effect its receipts name exists once.
func (r *run) checkExactlyOnce(ctx context.Context, c *caller) []string {
	var out []string
	db := r.groupOf[c.spec.Nodes[0]].db
	want := -1 // tool receipts per turn, from the fake's script
	if r.model != nil && r.nodeSpec(c.spec.Nodes[0]).Provider == "fake" {
		want = 0
		for _, rp := range r.model.spec.Replies {
			if rp.Tool != "" {
				want++
			}
		}
	}
	refs := map[string]int{}
	receipts := 0
	for i, cv := range c.final {
		if c.convs[i] == "" {
			continue
		}
		if len(cv.Turns) != 1 || cv.Turns[0].Status != "completed" {
			out = append(out, fmt.Sprintf("message %d: %d turns, status %s", i+1, len(cv.Turns), cv.Status))
			continue
		}
		ok := 0
		for _, a := range cv.Turns[0].Actions {
			if !a.OK {
				continue
			}
			ok++
			refs[a.Ref]++
			if refs[a.Ref] > 1 {
				out = append(out, fmt.Sprintf("message %d: receipt %s seen twice", i+1, a.Ref))
			}
		}
		receipts += ok
		if want >= 0 && ok != want {
			out = append(out, fmt.Sprintf("message %d: %d receipts, the script makes %d", i+1, ok, want))
		}
	}
	var turns int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM turns t JOIN conversations c ON c.id = t.conversation_id WHERE c.key_id = ?`, c.keyID).Scan(&turns); err != nil {
		out = append(out, err.Error())
	} else if accepted := int(c.accepted.Load()); turns != accepted {
		out = append(out, fmt.Sprintf("%d turns stored for %d accepted messages", turns, accepted))
	}
	// Side effects: a contact per contacts_create receipt, never two for
	// one message (the scripted contact is named after the message).
	names := map[string]bool{}
	for n := 1; n <= c.count; n++ {
		names[c.message(n)] = true
	}
	rows, err := db.Query(ctx, `SELECT name, count(*) FROM contacts GROUP BY name`)
	if err != nil {
		return append(out, err.Error())
	}
	defer rows.Close()
	made := 0
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return append(out, err.Error())
		}
		if names[name] {
			made += n
			if n > 1 {
				out = append(out, fmt.Sprintf("contact %q created %d times", name, n))
			}
		}
	}
	if want > 0 && made != receipts {
		out = append(out, fmt.Sprintf("%d contacts made for %d receipts", made, receipts))
	}
	return out
}

func (r *run) nodeSpec(name string) NodeSpec {
	for _, n := range r.spec.Nodes {
		if n.Name == name {
			return n
		}
	}
	return NodeSpec{}
}

// checkWebhooks: every attempt verified (JWS and Standard Webhooks), each
// conversation has exactly one delivery id and it was delivered, and —
// with schedule — each retry came when the schedule (or Retry-After) said.
func (r *run) checkWebhooks(c *caller, schedule bool) []string {
	attempts, byConv, bad := r.recv.snapshot(c.spec.Name)
	out := append([]string(nil), bad...)
	mine := map[string]bool{}
	for i, id := range c.convs {
		if id == "" {
			continue
		}
		mine[id] = true
		ids := byConv[id]
		switch {
		case len(ids) == 0:
			out = append(out, fmt.Sprintf("message %d: no webhook for %s", i+1, id))
		case len(ids) > 1:
			out = append(out, fmt.Sprintf("message %d: %d delivery ids for one turn", i+1, len(ids)))
		case !anyDelivered(attempts, ids):
			out = append(out, fmt.Sprintf("message %d: delivery %s never answered 2xx", i+1, ids[0]))
		}
	}
	for conv := range byConv {
		if !mine[conv] {
			out = append(out, fmt.Sprintf("a delivery for conversation %q no message started", conv))
		}
	}
	if !schedule {
		return out
	}
	delays := webhook.DefaultSchedule.Delays
	const slack = 30 * time.Second // the dispatcher's polling and a busy machine
	for id, as := range attempts {
		for i := 0; i+1 < len(as) && i < len(delays); i++ {
			if as[i].Answer >= 200 && as[i].Answer < 300 {
				break
			}
			gap := as[i+1].At.Sub(as[i].At)
			var spent time.Duration
			if as[i].Answer == 0 { // timed out: the attempt itself took the timeout
				spent = webhook.DefaultTimeout
			}
			low := spent + max(time.Duration(float64(delays[i])*(1-webhook.DefaultSchedule.Jitter)), as[i].RetryAfter) - 250*time.Millisecond
			high := spent + max(time.Duration(float64(delays[i])*(1+webhook.DefaultSchedule.Jitter)), as[i].RetryAfter) + slack
			if gap < low || gap > high {
				out = append(out, fmt.Sprintf("delivery %s: attempt %d came %v after attempt %d (answered %d, Retry-After %v); the schedule says %v–%v",
					id, i+2, gap.Round(time.Millisecond), i+1, as[i].Answer, as[i].RetryAfter, low.Round(time.Millisecond), high.Round(time.Millisecond)))
			}
		}
	}
	return out
}

// checkBudget: spend ≤ limit + Σ overrun (docs/budgets.md) and ≤ limit +
// one call's maximum (the largest hold reserved), at least one refusal, every refusal a 402 naming the budget
// (or a turn ended budget_exceeded), and with the budget spent the model
// hears nothing more.
func (r *run) checkBudget(ctx context.Context, c *caller) []string {
	var out []string
	limit, err := money.Parse(c.spec.BudgetTotal)
	if err != nil {
		return []string{"budget_total: " + err.Error()}
	}
	g := r.groupOf[c.spec.Nodes[0]]
	var spent, maxHold, overrun int64
	if err := g.db.QueryRow(ctx, `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT), CAST(COALESCE(MAX(reserved), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN cost > reserved THEN cost - reserved ELSE 0 END), 0) AS BIGINT) FROM ledger WHERE key_id = ?`, c.keyID).Scan(&spent, &maxHold, &overrun); err != nil {
		return []string{err.Error()}
	}
	// docs/budgets.md: spent ≤ limit + Σ overrun, which is within the
	// issue's limit + one call's maximum when no call overran its hold.
	if bound := limit + money.Micro(overrun); money.Micro(spent) > bound {
		out = append(out, fmt.Sprintf("spent $%s > limit $%s + overruns $%s", money.Micro(spent), limit, money.Micro(overrun)))
	}
	if money.Micro(spent) > limit+money.Micro(maxHold) {
		out = append(out, fmt.Sprintf("spent $%s > limit $%s + one call's maximum $%s", money.Micro(spent), limit, money.Micro(maxHold)))
	}
	r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("budget %s: limit $%s, spent $%s, largest hold $%s, overruns $%s",
		c.spec.Name, limit, money.Micro(spent), money.Micro(maxHold), money.Micro(overrun)))
	refused := len(c.refusals)
	for _, rf := range c.refusals {
		if rf.Status != http.StatusPaymentRequired || rf.Body.Budget != "total" {
			out = append(out, fmt.Sprintf("message %d refused %d (budget %q): %s", rf.N, rf.Status, rf.Body.Budget, rf.Body.Detail))
		}
	}
	for i, cv := range c.final {
		switch {
		case c.convs[i] == "" || cv.Status == "completed":
		case cv.Status == "budget_exceeded":
			refused++
			if !strings.Contains(cv.Error, "total") {
				out = append(out, fmt.Sprintf("message %d: budget_exceeded without naming the budget: %q", i+1, cv.Error))
			}
		default:
			out = append(out, fmt.Sprintf("message %d: %s %s", i+1, cv.Status, cv.Error))
		}
	}
	if refused == 0 {
		out = append(out, fmt.Sprintf("no refusal: the budget $%s was not drained (spent $%s)", limit, money.Micro(spent)))
	}
	out = append(out, c.errs...)
	out = append(out, r.probeSpent(ctx, c)...)
	return out
}

func (r *run) checkContacts(ctx context.Context, e *ContactsExp) []string {
	g := r.groupOf[e.Node]
	rows, err := g.db.Query(ctx, `SELECT name FROM contacts WHERE workspace_id = ? ORDER BY name`, g.ws)
	if err != nil {
		return []string{err.Error()}
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return []string{err.Error()}
		}
		got = append(got, n)
	}
	want := slices.Clone(e.Names)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return []string{fmt.Sprintf("contacts %q, want %q", got, want)}
	}
	return nil
}

func (r *run) checkNegotiated(ctx context.Context, e *NegExp) []string {
	p, g := r.procs[e.Node], r.groupOf[e.Node]
	status, _, b, err := call(ctx, "GET", p.Base+"/api/negotiations", g.creds, nil)
	if err != nil || status != http.StatusOK {
		return []string{fmt.Sprintf("GET /api/negotiations: %d %v %s", status, err, b)}
	}
	var list struct {
		Negotiations []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"negotiations"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, n := range list.Negotiations {
		if n.Status != e.Status {
			out = append(out, fmt.Sprintf("negotiation %s is %s", n.ID, n.Status))
		}
	}
	if e.Count > 0 && len(list.Negotiations) != e.Count {
		out = append(out, fmt.Sprintf("%d negotiations, want %d", len(list.Negotiations), e.Count))
	}
	if len(list.Negotiations) == 0 {
		out = append(out, "no negotiation")
	}
	return out
}

// probeSpent sends one message at a time until one is refused without
// the model hearing of it (refusals during the run may come from holds of
// calls in flight, and a turn may be stopped before its second call while
// a new turn's smaller first call still fits); then one more: it must be
// refused too, and again the model must hear nothing.
func (r *run) probeSpent(ctx context.Context, c *caller) []string {
	var live *Proc
	for _, p := range c.procs {
		if p.Running() {
			live = p
			break
		}
	}
	if live == nil {
		return []string{"probe: no node is running"}
	}
	n := c.count
	// probe sends one message and says whether it was refused, and how
	// many model calls arrived meanwhile.
	probe := func() (bool, int, error) {
		n++
		before, _ := r.model.calls()
		status, _, b, err := call(ctx, "POST", live.Base+"/api/agent?wait=30", c.creds, map[string]any{"message": c.message(n)})
		if err != nil {
			return false, 0, err
		}
		after, _ := r.model.calls()
		var cv conversation
		_ = json.Unmarshal(b, &cv)
		switch {
		case status == http.StatusPaymentRequired || cv.Status == "budget_exceeded":
			return true, after - before, nil
		case status == http.StatusOK && cv.Status == "completed":
			return false, after - before, nil
		}
		return false, 0, fmt.Errorf("probe: %d %s", status, b)
	}
	for i := 0; ; i++ {
		if i == 100 {
			return []string{"100 more messages each reached the model: the budget was never spent"}
		}
		refused, calls, err := probe()
		if err != nil {
			return []string{err.Error()}
		}
		if refused && calls == 0 {
			break
		}
	}
	refused, calls, err := probe()
	switch {
	case err != nil:
		return []string{err.Error()}
	case !refused:
		return []string{"a message after the budget was spent was served"}
	case calls != 0:
		return []string{fmt.Sprintf("the model got %d calls after the budget was spent", calls)}
	}
	return nil
}
