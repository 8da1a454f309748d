package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOpenAI speaks the OpenAI chat completions wire protocol. What it
// answers depends on markers in the latest user message:
//
//	HOLD      wait until release() (or the caller gives up)
//	FAILNOW   a 400 error the provider does not retry
//	BIGSPEND  300,000 prompt tokens of usage
//
// otherwise a short final reply with small usage.
type fakeOpenAI struct {
	srv     *httptest.Server
	calls   atomic.Int64
	held    chan struct{} // a HOLD request arrived
	release chan struct{}
	once    sync.Once
}

func newFakeOpenAI(t *testing.T) *fakeOpenAI {
	f := &fakeOpenAI{held: make(chan struct{}, 16), release: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() { f.releaseAll(); f.srv.Close() })
	return f
}

func (f *fakeOpenAI) releaseAll() { f.once.Do(func() { close(f.release) }) }

func (f *fakeOpenAI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.calls.Add(1)
	var req struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	_ = json.Unmarshal(body, &req)
	var last []byte
	for _, m := range req.Messages {
		if m.Role == "user" {
			last = m.Content
		}
	}
	prompt := 1000
	switch {
	case bytes.Contains(last, []byte("HOLD")):
		f.held <- struct{}{}
		select {
		case <-f.release:
		case <-r.Context().Done():
			return
		}
	case bytes.Contains(last, []byte("FAILNOW")):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"the fake refuses this request","type":"invalid_request_error","code":"fake"}}`)
		return
	case bytes.Contains(last, []byte("BIGSPEND")):
		prompt = 300000
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": "Done by the fake model."}}},
		"usage": map[string]any{"prompt_tokens": prompt, "completion_tokens": 100, "total_tokens": prompt + 100},
	})
}

// DESIGN §3/§4: budgets, refusals, statuses and cancel, with the
// OpenAI-compatible provider against a fake server.
func TestSection4BudgetsAndStatuses(t *testing.T) {
	t.Parallel()
	fake := newFakeOpenAI(t)
	n := startNode(t, "SOIS_LLM_BASE_URL="+fake.srv.URL+"/v1", "SOIS_LLM_API_KEY=test", "SOIS_MODEL=gpt-4.1-mini")
	t.Cleanup(fake.releaseAll) // before the node stops: it waits for held calls
	c := n.initWorkspace(t)
	a := c.auth()
	valid := map[string]bool{"queued": true, "running": true, "input_required": true, "completed": true, "failed": true, "budget_exceeded": true, "canceled": true}

	t.Run("a priced model runs and money is decimal strings", func(t *testing.T) {
		cv := n.send(t, a, map[string]any{"message": "hello"})
		if cv.Status != "completed" || cv.Reply != "Done by the fake model." {
			t.Fatalf("%+v", cv)
		}
		if !isMoney(cv.CostUSD) || cv.CostUSD == "0.000000" {
			t.Errorf("cost_usd = %q, want the priced call's cost", cv.CostUSD)
		}
	})

	t.Run("failed, with a clear error", func(t *testing.T) {
		cv := n.send(t, a, map[string]any{"message": "FAILNOW please"})
		if cv.Status != "failed" {
			t.Fatalf("status %q, want failed: %+v", cv.Status, cv)
		}
		if cv.Error == "" && (len(cv.Turns) == 0 || cv.Turns[len(cv.Turns)-1].Error == "") {
			t.Errorf("failed without an error: %+v", cv)
		}
	})

	t.Run("409 while a turn runs; cancel a running turn", func(t *testing.T) {
		r := n.do(t, "POST", "/api/agent", a, `{"message": "HOLD this one"}`)
		if r.Status != http.StatusAccepted {
			t.Fatalf("%s", r)
		}
		var acc accepted
		r.json(t, &acc)
		select {
		case <-fake.held:
		case <-time.After(30 * time.Second):
			t.Fatal("the model was never called")
		}
		g := n.do(t, "GET", "/api/agent/conversations/"+acc.ConversationID, a, nil)
		var cv conv
		g.json(t, &cv)
		if cv.Status != "running" {
			t.Errorf("status while the model works = %q, want running", cv.Status)
		}
		// ?wait= ends with the 202 body when the turn is still running.
		w := n.do(t, "POST", "/api/agent?wait=1", a, map[string]any{"message": "again", "conversation_id": acc.ConversationID})
		checkProblem(t, w, http.StatusConflict)
		gw := n.do(t, "GET", "/api/agent/conversations/"+acc.ConversationID+"?wait=1", a, nil)
		if gw.Status != http.StatusOK {
			t.Errorf("GET ?wait=1 on a running turn = %s", gw)
		}
		cr := n.do(t, "POST", "/api/agent/conversations/"+acc.ConversationID+"/cancel", a, nil)
		if cr.Status != http.StatusOK && cr.Status != http.StatusAccepted {
			t.Fatalf("cancel = %s", cr)
		}
		final := n.waitStopped(t, a, acc.ConversationID)
		if final.Status != "canceled" {
			t.Errorf("after cancel: status %q, want canceled", final.Status)
		}
		checkProblem(t, n.do(t, "POST", "/api/agent/conversations/"+acc.ConversationID+"/cancel", a, nil), http.StatusConflict)
		// The conversation takes messages again.
		next := n.send(t, a, map[string]any{"message": "hello after cancel", "conversation_id": acc.ConversationID})
		if next.Status != "completed" {
			t.Errorf("after cancel, a new message: %+v", next)
		}
	})

	t.Run("?wait= returns the 202 body while still running", func(t *testing.T) {
		r := n.do(t, "POST", "/api/agent?wait=1", a, `{"message": "HOLD again"}`)
		if r.Status != http.StatusAccepted {
			t.Fatalf("?wait=1 on a held turn = %s, want 202", r)
		}
		var acc accepted
		r.json(t, &acc)
		if acc.ConversationID == "" || !valid[acc.Status] || acc.PollURL == "" || r.Header.Get("Location") == "" {
			t.Errorf("202 after wait: %s (Location %q)", r.Body, r.Header.Get("Location"))
		}
		n.do(t, "POST", "/api/agent/conversations/"+acc.ConversationID+"/cancel", a, nil)
	})

	t.Run("402 when a budget is spent: budget, spent, limit, resets_at; no model call", func(t *testing.T) {
		k := n.keyCreate(t, c.WorkspaceID, "--budget-daily", "0.10")
		ka := auth{c.Token, k}
		// The fake bills far past the call's reservation: the true cost is
		// recorded and the turn stops (docs/budgets.md, "The bound").
		first := n.send(t, ka, map[string]any{"message": "BIGSPEND"})
		if first.Status != "budget_exceeded" || first.CostUSD == "" || first.CostUSD == "0.000000" {
			t.Fatalf("a call billed past its reservation: %+v", first)
		}
		before := fake.calls.Load()
		r := n.do(t, "POST", "/api/agent", ka, `{"message": "hello"}`)
		p := checkProblem(t, r, http.StatusPaymentRequired)
		if p == nil {
			return
		}
		if p["budget"] != "daily" {
			t.Errorf("402 budget = %v, want daily: %s", p["budget"], r.Body)
		}
		for _, f := range []string{"spent_usd", "limit_usd"} {
			if s, _ := p[f].(string); !isMoney(s) {
				t.Errorf("402 %s = %v, want a decimal string", f, p[f])
			}
		}
		if s, _ := p["resets_at"].(string); s == "" {
			t.Errorf("402 without resets_at: %s", r.Body)
		} else if ts, err := time.Parse(time.RFC3339, s); err != nil || ts.Hour() != 0 || ts.Minute() != 0 || !ts.After(time.Now()) {
			t.Errorf("resets_at %q is not the next UTC midnight", s)
		}
		// A 402 is answered before anything is queued, so no turn can call
		// the provider later.
		if got := fake.calls.Load(); got != before {
			t.Errorf("with the budget spent the provider got %d calls", got-before)
		}
		// The budget endpoint agrees.
		b := n.do(t, "GET", "/api/agent/budget", ka, nil)
		if b.Status != http.StatusOK || !strings.Contains(string(b.Body), `"spent_usd"`) || !strings.Contains(string(b.Body), `"reserved_usd":"0`) {
			t.Errorf("GET /api/agent/budget = %s", b)
		}
	})

	t.Run("budget_exceeded status when a turn's next call does not fit", func(t *testing.T) {
		// Too small for one call's maximum cost: the call is not made.
		k := n.keyCreate(t, c.WorkspaceID, "--budget-total", "0.000100")
		ka := auth{c.Token, k}
		before := fake.calls.Load()
		r := n.do(t, "POST", "/api/agent?wait=30", ka, `{"message": "hello"}`)
		switch r.Status {
		case http.StatusPaymentRequired:
			checkProblem(t, r, http.StatusPaymentRequired)
		case http.StatusOK:
			var cv conv
			r.json(t, &cv)
			if cv.Status != "budget_exceeded" {
				t.Errorf("status %q, want budget_exceeded", cv.Status)
			}
		default:
			t.Fatalf("%s", r)
		}
		if got := fake.calls.Load(); got != before {
			t.Errorf("the provider got %d calls beyond the budget", got-before)
		}
	})

	t.Run("every listed status is one of the contract's", func(t *testing.T) {
		r := n.do(t, "GET", "/api/agent/conversations?limit=100", a, nil)
		var page struct {
			Conversations []conv `json:"conversations"`
		}
		r.json(t, &page)
		for _, cv := range page.Conversations {
			if !valid[cv.Status] {
				t.Errorf("status %q", cv.Status)
			}
		}
	})

	t.Run("a model with no price is refused while a budget is set", func(t *testing.T) {
		m := startNode(t, "SOIS_LLM_BASE_URL="+fake.srv.URL+"/v1", "SOIS_MODEL=house-model-without-price")
		mc := m.initWorkspace(t)
		k := m.keyCreate(t, mc.WorkspaceID, "--budget-daily", "5")
		before := fake.calls.Load()
		r := m.do(t, "POST", "/api/agent?wait=30", auth{mc.Token, k}, `{"message": "hello"}`)
		if r.Status == http.StatusOK {
			var cv conv
			r.json(t, &cv)
			if cv.Status == "completed" {
				t.Errorf("an unpriced model ran under a budget: %+v", cv)
			}
		} else if r.Status < 400 || r.Status >= 500 {
			t.Errorf("unpriced model under a budget: %s", r)
		}
		if got := fake.calls.Load(); got != before {
			t.Errorf("the unpriced model was called %d times", got-before)
		}
		// Without a budget it runs.
		cv := m.send(t, mc.auth(), map[string]any{"message": "hello"})
		if cv.Status != "completed" {
			t.Errorf("unpriced model without a budget: %+v", cv)
		}
	})
}
