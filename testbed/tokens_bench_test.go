package testbed_test

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/openai/openaifake"
	"github.com/soisnode/soisnode/agent/price"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// BenchmarkPromptTokens is the token economy of one standard request
// (testbed.StandardMessage, from an owner, so with every built-in tool):
// the first model call of the turn, exactly as a node builds it (system
// prompt, the message, and agent.Declare's declarations of the caller's
// tools: the core families briefly, describe_tools naming the others,
// ask_caller), captured from a node with a scripted provider. The timed loop is price.EstimateTokens, the
// estimate the budget reservation uses.
//
// Metrics:
//
//	prompt-tokens       price.EstimateTokens of that request
//	base-prompt-tokens  the same request declaring no tools (the baseline:
//	                    what the message and system prompt cost alone)
//	tool-tokens, tools  the tool declarations' share, and how many
//	ratio               prompt-tokens / base-prompt-tokens
//	wire-prompt-tokens  the prompt_tokens openaifake reports for the same
//	                    turn sent by the real OpenAI-compatible client
//	                    (⌈request body bytes / 4⌉, see openaifake)
//	wire-bytes          that request body's size
//
// The per-tool list in the log shows where the tokens go.
func BenchmarkPromptTokens(b *testing.B) {
	req := firstModelRequest(b)
	noTools := req
	noTools.Tools = nil
	total, base := price.EstimateTokens(req), price.EstimateTokens(noTools)
	type toolCost struct {
		name   string
		tokens int64
	}
	var tools []toolCost
	for _, t := range req.Tools {
		one := agent.Request{Tools: []agent.ToolDecl{t}}
		tools = append(tools, toolCost{t.Name, price.EstimateTokens(one) - price.RequestOverhead})
	}
	sort.Slice(tools, func(i, j int) bool { return tools[i].tokens > tools[j].tokens })
	var lines []string
	for _, t := range tools {
		lines = append(lines, t.name+" "+strconv.FormatInt(t.tokens, 10))
	}
	b.Logf("prompt tokens %d = %d without tools + %d for %d tool declarations; per tool: %s",
		total, base, total-base, len(req.Tools), strings.Join(lines, ", "))

	wire := wireRequest(b)
	b.ResetTimer()
	for b.Loop() {
		_ = price.EstimateTokens(req)
	}
	b.ReportMetric(float64(total), "prompt-tokens")
	b.ReportMetric(float64(base), "base-prompt-tokens")
	b.ReportMetric(float64(total-base), "tool-tokens")
	b.ReportMetric(float64(len(req.Tools)), "tools")
	b.ReportMetric(float64(total)/float64(base), "ratio")
	b.ReportMetric(float64((len(wire)+3)/4), "wire-prompt-tokens")
	b.ReportMetric(float64(len(wire)), "wire-bytes")
}

// firstModelRequest sends the standard request to a node whose scripted
// provider records the first model call of the turn, and returns it.
func firstModelRequest(b testing.TB) agent.Request {
	var mu sync.Mutex
	var first *agent.Request
	script := &testbed.Script{Step: func(req agent.Request) agent.Response {
		mu.Lock()
		if first == nil {
			first = &req
		}
		mu.Unlock()
		return testbed.Echo(req)
	}}
	n := testbed.Start(b, node.Config{DatabaseURL: storetest.SQLiteURL(b), Provider: script})
	creds := testbed.Workspace(b, n.DB(), workspace.Owner, access.KeyParams{})
	if r := n.Do("POST", "/api/agent?wait=30", creds, testbed.StandardBody); r.Status != http.StatusOK {
		b.Fatalf("POST /api/agent?wait=30 = %d %s", r.Status, r.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if first == nil {
		b.Fatal("the provider was not called")
	}
	return *first
}

// wireRequest runs the standard request through the OpenAI-compatible
// provider against openaifake and returns the body of the first chat
// completion request.
func wireRequest(b *testing.B) []byte {
	fake := openaifake.Start(b)
	n := testbed.Start(b, node.Config{DatabaseURL: storetest.SQLiteURL(b), LLMBaseURL: fake.BaseURL(), Model: "gpt-4.1-mini",
		Getenv: func(string) string { return "" }})
	creds := testbed.Workspace(b, n.DB(), workspace.Owner, access.KeyParams{})
	if r := n.Do("POST", "/api/agent?wait=30", creds, testbed.StandardBody); r.Status != http.StatusOK {
		b.Fatalf("POST /api/agent?wait=30 = %d %s", r.Status, r.Body)
	}
	reqs := fake.Requests()
	if len(reqs) == 0 {
		b.Fatal("openaifake received no request")
	}
	return reqs[0].Body
}
