package openai_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/internal/providertest"
	"github.com/soisnode/soisnode/agent/openai"
	"github.com/soisnode/soisnode/agent/openai/openaifake"
)

const testKey = "sk-test-secret-key-0123456789abcdef"

func setup(t *testing.T, cfg openai.Config) (*openai.Provider, *openaifake.Server) {
	t.Helper()
	fake := openaifake.Start(t)
	fake.APIKey = testKey
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	cfg.BaseURL = fake.BaseURL()
	return openai.New(cfg), fake
}

var userRequest = providertest.UserRequest

func TestTextReply(t *testing.T) {
	p, fake := setup(t, openai.Config{})
	fake.Enqueue(openaifake.Text("Hello!"))
	resp, err := p.Generate(context.Background(), userRequest("Hi"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Role != agent.RoleModel || resp.Message.Text != "Hello!" || len(resp.Message.Calls) != 0 {
		t.Errorf("message = %+v", resp.Message)
	}
	if resp.Model != openai.DefaultModel || p.Name() != "openai" || p.Model() != openai.DefaultModel {
		t.Errorf("model = %q, provider %q/%q", resp.Model, p.Name(), p.Model())
	}
	req, _ := fake.Last()
	if req.Path != "/v1/chat/completions" || req.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("path %s, auth %q", req.Path, req.Header.Get("Authorization"))
	}
	m := req.Parsed.Messages
	if len(m) != 2 || m[0].Role != "system" || m[0].Text() != "You are a test." || m[1].Role != "user" || m[1].Text() != "Hi" {
		t.Errorf("messages = %+v", m)
	}
	if req.Parsed.Tools != nil || req.Parsed.ParallelToolCalls != nil || req.Parsed.MaxCompletionTokens != nil {
		t.Errorf("no tools or limits expected: %s", req.Body)
	}
	want := agent.Usage{InputTokens: int64(len(req.Body)+3) / 4, OutputTokens: 2}
	if resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
}

func TestToolCalls(t *testing.T) {
	p, fake := setup(t, openai.Config{Model: "gpt-4o"})
	fake.Enqueue(
		openaifake.Calls(openaifake.Call{ID: "call_abc", Name: "contacts_create", Args: map[string]any{"name": "Jane Doe"}}),
		openaifake.Calls(
			openaifake.Call{Name: "contacts_search", Args: map[string]any{"query": "Acme"}},
			openaifake.Call{Name: "tasks_search", Args: nil},
			openaifake.Call{Name: "broken", Args: `{"a":`},
		),
		openaifake.Reply{Raw: `{"id":"x","object":"chat.completion","model":"llama3.1","choices":[{"index":0,"finish_reason":"tool_calls",` +
			`"message":{"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"a","arguments":"{}"}},{"type":"function","function":{"name":"b","arguments":""}}]}}],` +
			`"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`},
	)
	resp, err := p.Generate(context.Background(), userRequest("Create Jane"))
	if err != nil {
		t.Fatal(err)
	}
	if c := resp.Message.Calls; len(c) != 1 || c[0].ID != "call_abc" || c[0].Name != "contacts_create" || string(c[0].Args) != `{"name":"Jane Doe"}` {
		t.Errorf("calls = %+v", c)
	}

	resp, err = p.Generate(context.Background(), userRequest("Search"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`call_1 contacts_search {"query":"Acme"}`, `call_2 tasks_search {}`, `call_3 broken "{\"a\":"`}
	if got := describe(resp.Message.Calls); got != strings.Join(want, "\n") {
		t.Errorf("parallel calls =\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	resp, err = p.Generate(context.Background(), userRequest("no ids"))
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(resp.Message.Calls); got != "c1 a {}\nc2 b {}" || resp.Model != "llama3.1" {
		t.Errorf("calls without ids = %q, model %q", got, resp.Model)
	}
}

func TestToolResultRoundTrip(t *testing.T) {
	p, fake := setup(t, openai.Config{})
	fake.Enqueue(openaifake.Text("Contact created."))
	schema := json.RawMessage(`{"type":"object","properties":{"name":{"type":"string","maxLength":200},"n":{"type":"integer","maximum":9007199254740993}},"required":["name"],"additionalProperties":false}`)
	req := agent.Request{
		Model:  "gpt-5-mini",
		System: "sys",
		Messages: []agent.Message{
			{Role: agent.RoleUser, Text: "Create a contact for Jane"},
			{Role: agent.RoleModel, Calls: []agent.ToolCall{
				{ID: "call_1", Name: "contacts_create", Args: json.RawMessage(`{"name":"Jane"}`)},
				{ID: "call_2", Name: "contacts_search", Args: nil},
			}},
			{Role: agent.RoleTool, Results: []agent.ToolResult{
				{CallID: "call_1", Name: "contacts_create", Content: json.RawMessage(`{"id":"contact/01J","ok":true}`)},
				{CallID: "call_2", Name: "contacts_search", Content: json.RawMessage(`{"message":"forbidden"}`), IsError: true},
			}},
		},
		Tools:           []agent.ToolDecl{{Name: "contacts_create", Description: "Create a contact.", Schema: schema}, agent.AskToolDecl},
		MaxOutputTokens: 1024,
	}
	if _, err := p.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got, _ := fake.Last()
	body := got.Parsed
	if body.Model != "gpt-5-mini" {
		t.Errorf("model = %q", body.Model)
	}
	m := body.Messages
	if len(m) != 5 {
		t.Fatalf("messages = %s", got.Body)
	}
	if m[2].Role != "assistant" || len(m[2].ToolCalls) != 2 || m[2].ToolCalls[0].ID != "call_1" || m[2].ToolCalls[0].Type != "function" ||
		m[2].ToolCalls[0].Function.Name != "contacts_create" || m[2].ToolCalls[0].Function.Arguments != `{"name":"Jane"}` ||
		m[2].ToolCalls[1].Function.Arguments != "{}" {
		t.Errorf("assistant message = %+v", m[2])
	}
	if m[3].Role != "tool" || m[3].ToolCallID != "call_1" || !providertest.JSONEqual(m[3].Text(), `{"id":"contact/01J","ok":true}`) {
		t.Errorf("tool result = %+v", m[3])
	}
	if m[4].ToolCallID != "call_2" || !providertest.JSONEqual(m[4].Text(), `{"error":{"message":"forbidden"}}`) {
		t.Errorf("error result = %+v", m[4])
	}
	if len(body.Tools) != 2 || body.Tools[0].Type != "function" || body.Tools[0].Function.Name != "contacts_create" ||
		body.Tools[0].Function.Description != "Create a contact." || !providertest.JSONEqual(string(body.Tools[0].Function.Parameters), string(schema)) ||
		body.Tools[1].Function.Name != agent.AskTool {
		t.Errorf("tools = %+v", body.Tools)
	}
	if body.ParallelToolCalls == nil || !*body.ParallelToolCalls {
		t.Error("parallel_tool_calls must be true when tools are declared")
	}
	if body.MaxCompletionTokens == nil || *body.MaxCompletionTokens != 1024 || body.MaxTokens != nil {
		t.Errorf("limits: max_completion_tokens %v, max_tokens %v", body.MaxCompletionTokens, body.MaxTokens)
	}
}

func TestLegacyMaxTokens(t *testing.T) {
	p, fake := setup(t, openai.Config{LegacyMaxTokens: true})
	if _, err := p.Generate(context.Background(), agent.Request{Messages: []agent.Message{{Role: agent.RoleUser, Text: "x"}}, MaxOutputTokens: 64}); err != nil {
		t.Fatal(err)
	}
	got, _ := fake.Last()
	if got.Parsed.MaxTokens == nil || *got.Parsed.MaxTokens != 64 || got.Parsed.MaxCompletionTokens != nil {
		t.Errorf("body = %s", got.Body)
	}
}

func TestUsageMapping(t *testing.T) {
	p, fake := setup(t, openai.Config{})
	fake.Enqueue(openaifake.Reply{Text: "ok", Model: "gpt-4o-2024-08-06", Usage: &openaifake.Usage{
		PromptTokens: 1200, CompletionTokens: 100, TotalTokens: 1300,
		PromptTokensDetails: &openaifake.TokenDetails{CachedTokens: 1024},
		CompletionDetails:   &openaifake.TokenDetails{ReasoningTokens: 64},
	}})
	resp, err := p.Generate(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (agent.Usage{InputTokens: 1200, CachedInputTokens: 1024, OutputTokens: 100}); resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	if resp.Model != "gpt-4o-2024-08-06" {
		t.Errorf("model = %q", resp.Model)
	}
}

func TestRetryableErrors(t *testing.T) {
	msOnly := openaifake.Fail(503, "overloaded")
	msOnly.Header = http.Header{"Retry-After-Ms": {"1500"}}
	tests := []struct {
		name   string
		reply  openaifake.Reply
		status int
		after  time.Duration
	}{
		{"429 with Retry-After", openaifake.RateLimited(7 * time.Second), 429, 7 * time.Second},
		{"503 with retry-after-ms", msOnly, 503, 1500 * time.Millisecond},
		{"500", openaifake.Fail(500, "The server had an error while processing your request."), 500, 0},
		{"502", openaifake.Fail(502, "bad gateway"), 502, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, fake := setup(t, openai.Config{})
			fake.Enqueue(tt.reply, openaifake.Text("must not be reached"))
			_, err := p.Generate(context.Background(), userRequest("x"))
			providertest.WantRetryable(t, err, tt.status, tt.after, fake.Calls())
		})
	}
}

func TestClientErrors(t *testing.T) {
	p, fake := setup(t, openai.Config{})
	fake.Enqueue(openaifake.Fail(400, "Invalid schema for function 'x': None is not of type 'object'."))
	_, err := p.Generate(context.Background(), userRequest("x"))
	providertest.WantPlainError(t, err, "Invalid schema", testKey)

	quota := openaifake.Fail(429, "You exceeded your current quota.")
	code := "insufficient_quota"
	quota.Err.Code = &code
	fake.Enqueue(quota)
	_, err = p.Generate(context.Background(), userRequest("x"))
	providertest.WantPlainError(t, err, "insufficient_quota", testKey)

	bad := openai.New(openai.Config{APIKey: testKey + "-wrong", BaseURL: fake.BaseURL()})
	_, err = bad.Generate(context.Background(), userRequest("x"))
	providertest.WantPlainError(t, err, "Incorrect API key", testKey)
}

func TestNoKeyNoEnvironment(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	fake := openaifake.Start(t)
	p := openai.New(openai.Config{BaseURL: fake.BaseURL(), Model: "llama3.1:8b"})
	if _, err := p.Generate(context.Background(), userRequest("x")); err != nil {
		t.Fatal(err)
	}
	got, _ := fake.Last()
	if a := got.Header.Get("Authorization"); a != "" {
		t.Errorf("Authorization = %q, want none (the environment's key must not leak to another server)", a)
	}
}

func TestNetworkAndContextErrors(t *testing.T) {
	refused, fake := setup(t, openai.Config{})
	fake.Close()
	live, _ := setup(t, openai.Config{})
	providertest.NetworkAndContextErrors(t, refused, live)
}

func TestEmptyChoices(t *testing.T) {
	p, fake := setup(t, openai.Config{})
	fake.Enqueue(openaifake.Reply{Raw: `{"id":"x","object":"chat.completion","model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":0,"total_tokens":9}}`})
	resp, err := p.Generate(context.Background(), userRequest("x"))
	if err == nil || resp.Usage.InputTokens != 9 {
		t.Errorf("Generate = %+v, %v; want an error with the usage kept", resp.Usage, err)
	}
}

func describe(calls []agent.ToolCall) string {
	var lines []string
	for _, c := range calls {
		lines = append(lines, c.ID+" "+c.Name+" "+string(c.Args))
	}
	return strings.Join(lines, "\n")
}

func TestConcurrentUse(t *testing.T) {
	p, fake := setup(t, openai.Config{})
	fake.Handle(func(r openaifake.Request) openaifake.Reply {
		return openaifake.Text("echo " + r.Parsed.Messages[1].Text())
	})
	providertest.ConcurrentUse(t, p)
}
