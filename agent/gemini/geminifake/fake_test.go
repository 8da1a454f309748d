package geminifake_test

import (
	"net/http"
	"testing"

	"github.com/soisnode/soisnode/agent/gemini/geminifake"
	"github.com/soisnode/soisnode/agent/internal/fakeserver"
)

func post(t *testing.T, url, key, body string) (int, map[string]any) {
	t.Helper()
	return fakeserver.Post(t, url, http.Header{"x-goog-api-key": {key}}, body)
}

func TestScripting(t *testing.T) {
	fake := geminifake.Start(t)
	fake.APIKey = "k"
	url := fake.URL() + "/v1beta/models/gemini-2.5-flash:generateContent"
	body := `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}` // 56 bytes → 14 tokens

	if code, _ := post(t, url, "wrong", body); code != 400 {
		t.Errorf("wrong key: status %d", code)
	}
	fake.Enqueue(geminifake.Text("first"))
	fake.Handle(func(r geminifake.Request) geminifake.Reply {
		return geminifake.Text("handled " + r.Parsed.Contents[0].Text())
	})
	_, first := post(t, url, "k", body)
	_, second := post(t, url, "k", body)
	text := func(m map[string]any) string {
		c := m["candidates"].([]any)[0].(map[string]any)["content"].(map[string]any)
		return c["parts"].([]any)[0].(map[string]any)["text"].(string)
	}
	if text(first) != "first" || text(second) != "handled hi" {
		t.Errorf("replies = %q, %q (the wrong-key call must not consume the queue)", text(first), text(second))
	}
	usage := first["usageMetadata"].(map[string]any)
	if usage["promptTokenCount"].(float64) != 14 || usage["candidatesTokenCount"].(float64) != 2 {
		t.Errorf("usage = %v", usage)
	}
	if fake.Calls() != 3 || len(fake.Requests()) != 3 {
		t.Errorf("calls = %d", fake.Calls())
	}
	if last, _ := fake.Last(); last.Model != "gemini-2.5-flash" {
		t.Errorf("model = %q", last.Model)
	}
	if code, _ := post(t, fake.URL()+"/v1beta/models/x:countTokens", "k", body); code != 404 {
		t.Errorf("unknown route: status %d", code)
	}
}
