package gemini_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/gemini"
	"github.com/soisnode/soisnode/agent/gemini/geminifake"
	"github.com/soisnode/soisnode/agent/internal/providertest"
)

const testKey = "AIza-test-secret-key-0123456789"

func setup(t *testing.T, model string) (*gemini.Provider, *geminifake.Server) {
	t.Helper()
	fake := geminifake.Start(t)
	fake.APIKey = testKey
	p, err := gemini.New(context.Background(), gemini.Config{APIKey: testKey, Model: model, BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return p, fake
}

var userRequest = providertest.UserRequest

func TestTextReply(t *testing.T) {
	p, fake := setup(t, "")
	fake.Enqueue(geminifake.Reply{Text: "Hello!", Thought: "private reasoning"})
	resp, err := p.Generate(context.Background(), userRequest("Hi"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Role != agent.RoleModel || resp.Message.Text != "Hello!" || len(resp.Message.Calls) != 0 {
		t.Errorf("message = %+v", resp.Message)
	}
	if resp.Model != gemini.DefaultModel || p.Model() != gemini.DefaultModel || p.Name() != "gemini" {
		t.Errorf("model = %q, provider %q/%q", resp.Model, p.Name(), p.Model())
	}
	req, _ := fake.Last()
	if req.Model != gemini.DefaultModel || !strings.HasPrefix(req.Path, "/v1beta/models/") {
		t.Errorf("path = %s", req.Path)
	}
	if req.Header.Get("x-goog-api-key") != testKey {
		t.Error("API key header not sent")
	}
	if si := req.Parsed.SystemInstruction; si == nil || si.Text() != "You are a test." {
		t.Errorf("system instruction = %+v", si)
	}
	if c := req.Parsed.Contents; len(c) != 1 || c[0].Role != "user" || c[0].Text() != "Hi" {
		t.Errorf("contents = %+v", c)
	}
	// Computed usage: prompt = ⌈body/4⌉, output = ⌈len("Hello!")/4⌉ = 2.
	want := agent.Usage{InputTokens: int64(len(req.Body)+3) / 4, OutputTokens: 2}
	if resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
}

func TestFunctionCalls(t *testing.T) {
	p, fake := setup(t, "gemini-2.5-pro")
	fake.Enqueue(
		geminifake.Calls(geminifake.Call{Name: "contacts_create", Args: map[string]any{"name": "Jane Doe", "tags": []string{"ceo"}}}),
		geminifake.Calls(
			geminifake.Call{Name: "contacts_search", Args: map[string]any{"query": "Acme"}},
			geminifake.Call{ID: "srv-7", Name: "tasks_search", Args: nil},
			geminifake.Call{Name: "org_members", Args: map[string]any{"limit": 12345678901234}},
		),
	)
	resp, err := p.Generate(context.Background(), userRequest("Create Jane"))
	if err != nil {
		t.Fatal(err)
	}
	if c := resp.Message.Calls; len(c) != 1 || c[0].ID != "c1" || c[0].Name != "contacts_create" ||
		string(c[0].Args) != `{"name":"Jane Doe","tags":["ceo"]}` {
		t.Errorf("calls = %+v", c)
	}
	if resp.Model != "gemini-2.5-pro" {
		t.Errorf("model = %q", resp.Model)
	}

	resp, err = p.Generate(context.Background(), userRequest("Search"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range resp.Message.Calls {
		got = append(got, c.ID+" "+c.Name+" "+string(c.Args))
	}
	want := []string{`c1 contacts_search {"query":"Acme"}`, `srv-7 tasks_search {}`, `c3 org_members {"limit":12345678901234}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parallel calls =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFunctionResponseRoundTrip(t *testing.T) {
	p, fake := setup(t, "gemini-2.5-flash")
	fake.Enqueue(geminifake.Text("Contact created."))
	schema := json.RawMessage(`{"type":"object","properties":{"name":{"type":"string","maxLength":200},"n":{"type":"integer","maximum":1000000}},"required":["name"],"additionalProperties":false}`)
	req := agent.Request{
		System: "sys",
		Messages: []agent.Message{
			{Role: agent.RoleUser, Text: "Create a contact for Jane"},
			{Role: agent.RoleModel, Text: "On it.", Calls: []agent.ToolCall{
				{ID: "c1", Name: "contacts_create", Args: json.RawMessage(`{"name":"Jane","n":4503599627370496,"f":1.5}`)},
				{ID: "c2", Name: "contacts_search", Args: json.RawMessage(`{}`)},
			}},
			{Role: agent.RoleTool, Results: []agent.ToolResult{
				{CallID: "c1", Name: "contacts_create", Content: json.RawMessage(`{"id":"contact/01J","ok":true}`)},
				{CallID: "c2", Name: "contacts_search", Content: json.RawMessage(`{"message":"forbidden"}`), IsError: true},
			}},
		},
		Tools:           []agent.ToolDecl{{Name: "contacts_create", Description: "Create a contact.", Schema: schema}, agent.AskToolDecl},
		MaxOutputTokens: 1024,
	}
	resp, err := p.Generate(context.Background(), req)
	if err != nil || resp.Message.Text != "Contact created." {
		t.Fatalf("Generate = %+v, %v", resp, err)
	}
	got, _ := fake.Last()
	c := got.Parsed.Contents
	if len(c) != 3 || c[1].Role != "model" || c[2].Role != "user" {
		t.Fatalf("contents = %+v", c)
	}
	if c[1].Parts[0].Text != "On it." || c[1].Parts[1].FunctionCall == nil {
		t.Fatalf("model turn = %+v", c[1])
	}
	fc := c[1].Parts[1].FunctionCall
	if fc.Name != "contacts_create" || fc.ID != "c1" || !providertest.JSONEqual(string(fc.Args), `{"name":"Jane","n":4503599627370496,"f":1.5}`) {
		t.Errorf("function call = %s %s %s", fc.ID, fc.Name, fc.Args)
	}
	for _, part := range c[1].Parts {
		if part.ThoughtSignature != "" {
			t.Error("gemini-2.5 must not get a thought signature")
		}
	}
	fr := c[2].Parts[0].FunctionResponse
	if fr == nil || fr.Name != "contacts_create" || fr.ID != "c1" || !providertest.JSONEqual(string(fr.Response), `{"id":"contact/01J","ok":true}`) {
		t.Errorf("function response = %+v", fr)
	}
	if fr := c[2].Parts[1].FunctionResponse; fr == nil || !providertest.JSONEqual(string(fr.Response), `{"error":{"message":"forbidden"}}`) {
		t.Errorf("error response = %+v", fr)
	}
	decls := got.Parsed.Declarations()
	if len(decls) != 2 || decls[0].Name != "contacts_create" || decls[0].Description != "Create a contact." ||
		!providertest.JSONEqual(string(decls[0].ParametersJSONSchema), string(schema)) || decls[1].Name != agent.AskTool {
		t.Errorf("declarations = %+v", decls)
	}
	if g := got.Parsed.GenerationConfig; g == nil || g.MaxOutputTokens != 1024 {
		t.Errorf("generation config = %+v", g)
	}
}

func TestGemini3ThoughtSignature(t *testing.T) {
	p, fake := setup(t, "gemini-3-pro-preview")
	req := agent.Request{Messages: []agent.Message{
		{Role: agent.RoleUser, Text: "go"},
		{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "c1", Name: "a"}, {ID: "c2", Name: "b"}}},
		{Role: agent.RoleTool, Results: []agent.ToolResult{{CallID: "c1", Name: "a", Content: json.RawMessage(`{}`)}, {CallID: "c2", Name: "b", Content: json.RawMessage(`[1]`)}}},
	}}
	if _, err := p.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got, _ := fake.Last()
	parts := got.Parsed.Contents[1].Parts
	sig, _ := base64.StdEncoding.DecodeString(parts[0].ThoughtSignature)
	if string(sig) != "skip_thought_signature_validator" || parts[1].ThoughtSignature != "" {
		t.Errorf("signatures = %q, %q", parts[0].ThoughtSignature, parts[1].ThoughtSignature)
	}
	if fr := got.Parsed.Contents[2].Parts[1].FunctionResponse; !providertest.JSONEqual(string(fr.Response), `{"output":[1]}`) {
		t.Errorf("non-object result = %s", fr.Response)
	}
}

func TestUsageMapping(t *testing.T) {
	p, fake := setup(t, "")
	fake.Enqueue(geminifake.Reply{Text: "ok", ModelVersion: "gemini-2.5-flash-preview-09-2025", Usage: &geminifake.UsageMetadata{
		PromptTokenCount: 1200, CachedContentTokenCount: 1000, CandidatesTokenCount: 30, ThoughtsTokenCount: 70, TotalTokenCount: 1300,
	}})
	resp, err := p.Generate(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (agent.Usage{InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 100}); resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	if resp.Model != "gemini-2.5-flash-preview-09-2025" {
		t.Errorf("model = %q, want the server's modelVersion", resp.Model)
	}
}

func TestRetryableErrors(t *testing.T) {
	retryInfoOnly := geminifake.RateLimited(3 * time.Second)
	retryInfoOnly.Header = nil
	tests := []struct {
		name   string
		reply  geminifake.Reply
		status int
		after  time.Duration
	}{
		{"429 with Retry-After", geminifake.RateLimited(7 * time.Second), 429, 7 * time.Second},
		{"429 with RetryInfo only", retryInfoOnly, 429, 3 * time.Second},
		{"500", geminifake.Fail(500, "An internal error has occurred."), 500, 0},
		{"503 with Retry-After", geminifake.Reply{Err: &geminifake.Error{Code: 503, Message: "overloaded"}, Header: http.Header{"Retry-After": {"2"}}}, 503, 2 * time.Second},
		{"504", geminifake.Fail(504, "deadline"), 504, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, fake := setup(t, "")
			fake.Enqueue(tt.reply, geminifake.Text("must not be reached"))
			_, err := p.Generate(context.Background(), userRequest("x"))
			providertest.WantRetryable(t, err, tt.status, tt.after, fake.Calls())
		})
	}
}

func TestClientErrors(t *testing.T) {
	p, fake := setup(t, "")
	fake.Enqueue(geminifake.Fail(400, "Invalid value at 'contents[0]': unknown role"))
	_, err := p.Generate(context.Background(), userRequest("x"))
	providertest.WantPlainError(t, err, "unknown role", testKey)

	bad, err := gemini.New(context.Background(), gemini.Config{APIKey: "wrong-" + testKey, BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Generate(context.Background(), userRequest("x"))
	providertest.WantPlainError(t, err, "API key not valid", testKey)
}

func TestNetworkAndContextErrors(t *testing.T) {
	refused, fake := setup(t, "")
	fake.Close()
	live, _ := setup(t, "")
	providertest.NetworkAndContextErrors(t, refused, live)
}

func TestBlockedPromptKeepsUsage(t *testing.T) {
	p, fake := setup(t, "")
	fake.Enqueue(geminifake.Reply{Raw: `{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":42,"totalTokenCount":42}}`})
	resp, err := p.Generate(context.Background(), userRequest("x"))
	if err == nil || !strings.Contains(err.Error(), "SAFETY") {
		t.Errorf("err = %v, want a blocked-prompt error", err)
	}
	if resp.Usage.InputTokens != 42 {
		t.Errorf("usage = %+v, want the prompt tokens to be chargeable", resp.Usage)
	}
}

func TestBaseURL(t *testing.T) {
	fake := geminifake.Start(t)
	t.Setenv("GOOGLE_GEMINI_BASE_URL", fake.URL())
	p, err := gemini.New(context.Background(), gemini.Config{APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Generate(context.Background(), userRequest("x")); err != nil || fake.Calls() != 1 {
		t.Fatalf("GOOGLE_GEMINI_BASE_URL not honoured: %v, calls %d", err, fake.Calls())
	}

	explicit := geminifake.Start(t)
	p, err = gemini.New(context.Background(), gemini.Config{APIKey: testKey, BaseURL: explicit.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Generate(context.Background(), userRequest("x")); err != nil || explicit.Calls() != 1 || fake.Calls() != 1 {
		t.Errorf("explicit BaseURL must win: %v, calls %d/%d", err, explicit.Calls(), fake.Calls())
	}
}

func TestNewRequiresKey(t *testing.T) {
	t.Setenv("GOOGLE_API_KEY", "from-env")
	if _, err := gemini.New(context.Background(), gemini.Config{}); err == nil {
		t.Error("New without a key must fail, not fall back to the environment")
	}
}

func TestConcurrentUse(t *testing.T) {
	p, fake := setup(t, "")
	fake.Handle(func(r geminifake.Request) geminifake.Reply {
		return geminifake.Text("echo " + r.Parsed.Contents[0].Text())
	})
	providertest.ConcurrentUse(t, p)
}
