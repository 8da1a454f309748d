package openaifake_test

import (
	"net/http"
	"testing"

	"github.com/soisnode/soisnode/agent/internal/fakeserver"
	"github.com/soisnode/soisnode/agent/openai/openaifake"
)

func post(t *testing.T, url, key, body string) (int, map[string]any) {
	t.Helper()
	return fakeserver.Post(t, url, http.Header{"Authorization": {"Bearer " + key}}, body)
}

func TestScripting(t *testing.T) {
	fake := openaifake.Start(t)
	fake.APIKey = "sk-right"
	url := fake.BaseURL() + "/chat/completions"
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}` // 62 bytes → 16 tokens

	if code, _ := post(t, url, "sk-wrong", body); code != 401 {
		t.Errorf("wrong key: status %d", code)
	}
	fake.Enqueue(openaifake.Text("first"))
	fake.Handle(func(r openaifake.Request) openaifake.Reply {
		return openaifake.Text("handled " + r.Parsed.Messages[0].Text())
	})
	_, first := post(t, url, "sk-right", body)
	_, second := post(t, url, "sk-right", body)
	text := func(m map[string]any) string {
		return m["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
	}
	if text(first) != "first" || text(second) != "handled hi" {
		t.Errorf("replies = %q, %q (the wrong-key call must not consume the queue)", text(first), text(second))
	}
	usage := first["usage"].(map[string]any)
	if usage["prompt_tokens"].(float64) != 16 || usage["completion_tokens"].(float64) != 2 || first["model"] != "gpt-4o" {
		t.Errorf("usage = %v, model %v", usage, first["model"])
	}
	if fake.Calls() != 3 || len(fake.Requests()) != 3 {
		t.Errorf("calls = %d", fake.Calls())
	}
	if code, _ := post(t, fake.BaseURL()+"/embeddings", "sk-right", body); code != 404 {
		t.Errorf("unknown route: status %d", code)
	}
}
