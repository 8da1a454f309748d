package scenario_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent/gemini/geminifake"
	"github.com/soisnode/soisnode/agent/openai/openaifake"
	"github.com/soisnode/soisnode/node"
)

// reply is one scripted model answer in a vocabulary both fakes speak.
type reply struct {
	Text       string
	Calls      []call
	Status     int           // an error answer: 429 (rate limited) or 5xx
	RetryAfter time.Duration // with Status 429
	Usage      *usage        // nil: the fake computes it from the bytes
}

type call struct {
	Name string
	Args any
}

type usage struct{ In, Out int64 }

func text(s string) reply           { return reply{Text: s} }
func calls(cs ...call) reply        { return reply{Calls: cs} }
func failure(status int) reply      { return reply{Status: status} }
func limited(d time.Duration) reply { return reply{Status: http.StatusTooManyRequests, RetryAfter: d} }

// request is one call a fake received, normalised: the declared tools and
// the model context without the system prompt.
type request struct {
	At     time.Time
	Body   []byte
	Tools  []string
	Msgs   []msg
	MaxOut int64 // the output limit the request set

	billed bool  // answered with a success, so a ledger row is due
	usage  usage // the usage the fake reported
}

// msg is one context entry: role "user", "model" or "tool".
type msg struct {
	Role    string
	Text    string
	Calls   []call // model: Args as json.RawMessage
	Results []result
}

type result struct {
	Name    string
	Content string // the JSON the model was shown
}

// declares reports whether the request declared tool name.
func (r request) declares(name string) bool {
	for _, t := range r.Tools {
		if t == name {
			return true
		}
	}
	return false
}

// userTexts are the user messages of the context, in order.
func (r request) userTexts() []string {
	var out []string
	for _, m := range r.Msgs {
		if m.Role == "user" {
			out = append(out, m.Text)
		}
	}
	return out
}

// results are the tool results of the context, in order.
func (r request) results() []result {
	var out []result
	for _, m := range r.Msgs {
		out = append(out, m.Results...)
	}
	return out
}

// fakeModel is a fake provider server with a script: queued replies first,
// then the handler, then "ok". It records every request as a request.
type fakeModel struct {
	name  string // "gemini" or "openai"
	model string // the priced model configured on the node
	gem   *geminifake.Server
	oai   *openaifake.Server

	mu      sync.Mutex
	queue   []reply
	handler func(n int, r request) reply // n counts calls from 1
	reqs    []request
}

// providers are the two fake servers the scenarios run against.
var providers = []string{"gemini", "openai"}

// newFake starts the fake server of provider kind.
func newFake(t testing.TB, kind string) *fakeModel {
	f := &fakeModel{name: kind}
	switch kind {
	case "gemini":
		f.model = "gemini-2.5-flash"
		f.gem = geminifake.Start(t)
		f.gem.APIKey = "test-gemini-key"
		f.gem.Handle(func(r geminifake.Request) geminifake.Reply { return toGemini(f.next(r.Body, fromGemini(r))) })
	case "openai":
		f.model = "gpt-4.1-mini"
		f.oai = openaifake.Start(t)
		f.oai.APIKey = "sk-test-key"
		f.oai.Handle(func(r openaifake.Request) openaifake.Reply { return toOpenAI(f.next(r.Body, fromOpenAI(r))) })
	default:
		t.Fatalf("unknown provider %q", kind)
	}
	return f
}

// configure points cfg at the fake with the real provider client.
func (f *fakeModel) configure(cfg *node.Config) {
	cfg.Model = f.model
	switch f.name {
	case "gemini":
		cfg.GeminiAPIKey, cfg.GeminiBaseURL = f.gem.APIKey, f.gem.URL()
	case "openai":
		cfg.LLMBaseURL, cfg.LLMAPIKey = f.oai.BaseURL(), f.oai.APIKey
	}
}

// baseURL is what SOIS_LLM_BASE_URL (openai) points at.
func (f *fakeModel) baseURL() string { return f.oai.BaseURL() }

func (f *fakeModel) enqueue(rs ...reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, rs...)
}

func (f *fakeModel) handle(h func(n int, r request) reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler = h
}

func (f *fakeModel) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func (f *fakeModel) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func (f *fakeModel) next(body []byte, r request) reply {
	r.At, r.Body = time.Now(), body
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	n := len(f.reqs)
	var rep reply
	var h func(int, request) reply
	if len(f.queue) > 0 {
		rep, f.queue = f.queue[0], f.queue[1:]
	} else {
		h = f.handler
	}
	f.mu.Unlock()
	if h != nil {
		rep = h(n, r)
	}
	if rep.Status == 0 && rep.Text == "" && len(rep.Calls) == 0 {
		rep = text("ok")
	}
	f.mu.Lock()
	f.reqs[n-1].billed = rep.Status == 0
	f.reqs[n-1].usage = usageOf(rep, body)
	f.mu.Unlock()
	return rep
}

// usageOf is the usage both fakes report for rep to a request of body:
// ⌈bytes/4⌉ each way unless scripted (see their package docs).
func usageOf(rep reply, body []byte) usage {
	if rep.Usage != nil {
		return *rep.Usage
	}
	out := len(rep.Text)
	for _, c := range rep.Calls {
		args, err := json.Marshal(c.Args)
		if err != nil || string(args) == "null" {
			args = []byte("{}")
		}
		out += len(c.Name) + len(args)
	}
	return usage{In: int64(len(body)+3) / 4, Out: max(int64(out+3)/4, 1)}
}

// wellFormed checks what both real APIs require of a context: every tool
// call of a model message is answered, by name and in number, by the tool
// message right after it.
func (r request) wellFormed() error {
	for i, m := range r.Msgs {
		if m.Role != "model" || len(m.Calls) == 0 {
			continue
		}
		if i+1 >= len(r.Msgs) || r.Msgs[i+1].Role != "tool" {
			return fmt.Errorf("message %d: tool calls %v are not followed by their results", i, callNames(m.Calls))
		}
		res := r.Msgs[i+1].Results
		if len(res) != len(m.Calls) {
			return fmt.Errorf("message %d: %d tool calls answered by %d results", i, len(m.Calls), len(res))
		}
		for j := range res {
			if res[j].Name != m.Calls[j].Name {
				return fmt.Errorf("message %d: call %s answered by a result of %s", i, m.Calls[j].Name, res[j].Name)
			}
		}
	}
	return nil
}

func callNames(cs []call) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func toGemini(r reply) geminifake.Reply {
	switch {
	case r.Status == http.StatusTooManyRequests:
		return geminifake.RateLimited(r.RetryAfter)
	case r.Status != 0:
		return geminifake.Fail(r.Status, "The service is currently unavailable.")
	}
	out := geminifake.Reply{Text: r.Text}
	for _, c := range r.Calls {
		out.Calls = append(out.Calls, geminifake.Call{Name: c.Name, Args: c.Args})
	}
	if r.Usage != nil {
		out.Usage = &geminifake.UsageMetadata{PromptTokenCount: r.Usage.In, CandidatesTokenCount: r.Usage.Out, TotalTokenCount: r.Usage.In + r.Usage.Out}
	}
	return out
}

func toOpenAI(r reply) openaifake.Reply {
	switch {
	case r.Status == http.StatusTooManyRequests:
		return openaifake.RateLimited(r.RetryAfter)
	case r.Status != 0:
		return openaifake.Fail(r.Status, "The server had an error while processing your request.")
	}
	out := openaifake.Reply{Text: r.Text}
	for _, c := range r.Calls {
		out.Calls = append(out.Calls, openaifake.Call{Name: c.Name, Args: c.Args})
	}
	if r.Usage != nil {
		out.Usage = &openaifake.Usage{PromptTokens: r.Usage.In, CompletionTokens: r.Usage.Out, TotalTokens: r.Usage.In + r.Usage.Out}
	}
	return out
}

func fromGemini(r geminifake.Request) request {
	var out request
	if g := r.Parsed.GenerationConfig; g != nil {
		out.MaxOut = int64(g.MaxOutputTokens)
	}
	for _, d := range r.Parsed.Declarations() {
		out.Tools = append(out.Tools, d.Name)
	}
	for _, c := range r.Parsed.Contents {
		var m msg
		for _, p := range c.Parts {
			switch {
			case p.FunctionCall != nil:
				m.Calls = append(m.Calls, call{Name: p.FunctionCall.Name, Args: p.FunctionCall.Args})
			case p.FunctionResponse != nil:
				m.Results = append(m.Results, result{Name: p.FunctionResponse.Name, Content: string(p.FunctionResponse.Response)})
			case !p.Thought:
				m.Text += p.Text
			}
		}
		switch {
		case len(m.Results) > 0:
			m.Role = "tool"
		case c.Role == "model":
			m.Role = "model"
		default:
			m.Role = "user"
		}
		out.Msgs = append(out.Msgs, m)
	}
	return out
}

func fromOpenAI(r openaifake.Request) request {
	var out request
	if m := r.Parsed.MaxCompletionTokens; m != nil {
		out.MaxOut = *m
	}
	for _, t := range r.Parsed.Tools {
		out.Tools = append(out.Tools, t.Function.Name)
	}
	names := map[string]string{} // tool_call_id → function name
	for _, m := range r.Parsed.Messages {
		switch m.Role {
		case "system", "developer":
		case "user":
			out.Msgs = append(out.Msgs, msg{Role: "user", Text: m.Text()})
		case "assistant":
			a := msg{Role: "model", Text: m.Text()}
			for _, c := range m.ToolCalls {
				names[c.ID] = c.Function.Name
				a.Calls = append(a.Calls, call{Name: c.Function.Name, Args: json.RawMessage(c.Function.Arguments)})
			}
			out.Msgs = append(out.Msgs, a)
		case "tool":
			res := result{Name: names[m.ToolCallID], Content: m.Text()}
			if n := len(out.Msgs); n > 0 && out.Msgs[n-1].Role == "tool" {
				out.Msgs[n-1].Results = append(out.Msgs[n-1].Results, res)
			} else {
				out.Msgs = append(out.Msgs, msg{Role: "tool", Results: []result{res}})
			}
		default:
			out.Msgs = append(out.Msgs, msg{Role: "unknown:" + m.Role, Text: m.Text()})
		}
	}
	return out
}

// argsOf decodes a recorded call's arguments.
func argsOf(t testing.TB, c call) map[string]any {
	t.Helper()
	var raw []byte
	switch a := c.Args.(type) {
	case json.RawMessage:
		raw = a
	default:
		raw, _ = json.Marshal(a)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("args of %s: %v (%s)", c.Name, err, raw)
	}
	return m
}
