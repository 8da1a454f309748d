package openai

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestAppendString: strings are escaped as encoding/json escapes them
// without HTML escapes (what the SDK sent), invalid UTF-8 included.
func TestAppendString(t *testing.T) {
	cases := []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "line\nbreak\r\ttab\b\f",
		"\x00\x01\x1f\x7f", "é ü 日本 🙂", "\u2028\u2029", "bad \xff utf8 \xe2\x82", "\xed\xa0\x80 surrogate"}
	for _, s := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(appendString(nil, s)); got != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want.String())
		}
	}
}

// TestSchemas: a schema reaches the wire compacted, byte for byte
// otherwise (no number re-encoded); one that is not a JSON object is
// refused.
func TestSchemas(t *testing.T) {
	got, err := schemas.get(json.RawMessage(` { "type": "object", "properties": {"n": {"maximum": 9007199254740993}} } `))
	if err != nil || string(got) != `{"type":"object","properties":{"n":{"maximum":9007199254740993}}}` {
		t.Errorf("get = %s, %v", got, err)
	}
	if got, err := schemas.get(nil); err != nil || string(got) != `{"type":"object","properties":{}}` {
		t.Errorf("empty schema = %s, %v", got, err)
	}
	for _, bad := range []string{`null`, `[]`, `"s"`, `{"a":`, `{} {}`} {
		if got, err := schemas.get(json.RawMessage(bad)); err == nil {
			t.Errorf("schema %s accepted as %s", bad, got)
		}
	}
}

// TestDecodeLenient: a field of an unexpected type is left empty, as the
// SDK's decoder left it, and token counts sent as numbers with a fraction
// are read; a body that is not JSON is an error.
func TestDecodeLenient(t *testing.T) {
	c, err := decode([]byte(`{"model":"m","choices":[{"finish_reason":"stop","message":{"content":[{"type":"text","text":"x"}],"refusal":null,"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]}}],"usage":{"prompt_tokens":12.0,"completion_tokens":3,"prompt_tokens_details":null}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := fromCompletion(c, "asked")
	if err != nil || resp.Model != "m" || resp.Message.Text != "" || len(resp.Message.Calls) != 1 || resp.Message.Calls[0].Name != "f" ||
		resp.Usage.InputTokens != 12 || resp.Usage.OutputTokens != 3 {
		t.Errorf("decoded %+v, %v", resp, err)
	}
	if _, err := decode([]byte(`<html>`)); err == nil {
		t.Error("a body that is not JSON was decoded")
	}
}
