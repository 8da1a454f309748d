package price

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/money"
)

func TestShippedTable(t *testing.T) {
	tbl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash", "gemini-3-pro-preview",
		"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano",
	} {
		p, ok := tbl.Lookup(name)
		if !ok {
			t.Errorf("%s: not priced", name)
			continue
		}
		if p.Input <= 0 || p.Output <= 0 || p.CachedInput <= 0 || p.CachedInput > p.Input || p.MaxOutputTokens <= 0 {
			t.Errorf("%s: implausible price %+v", name, p)
		}
	}
}

func TestLookup(t *testing.T) {
	tbl := Default()
	tests := []struct {
		model string
		want  string // matched entry, "" for unpriced
	}{
		{"gpt-4o", "gpt-4o"},
		{"GPT-4o", "gpt-4o"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{"gpt-4.1-2025-04-14", "gpt-4.1"},
		{"o4-mini-2025-04-16", "o4-mini"},
		{"gpt-5-2025-08-07", "gpt-5"},
		{"gpt-5-nano-2025-08-07", "gpt-5-nano"},
		{"gemini-2.0-flash-001", "gemini-2.0-flash"},
		{"gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite"},
		{"gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash"},
		{"gemini-2.5-flash-lite-preview-06-17", "gemini-2.5-flash-lite"},
		{"models/gemini-2.5-pro", "gemini-2.5-pro"},
		{"gemini-2.5-pro-latest", "gemini-2.5-pro"},
		{"local", "local"},
		{"gpt-4o-audio-preview", ""},
		{"gpt-5-pro", ""},
		{"gpt-4o-", ""},
		{"gpt-4", ""},
		{"llama3.1:8b", ""},
		{"", ""},
	}
	for _, tt := range tests {
		p, ok := tbl.Lookup(tt.model)
		if ok != (tt.want != "") || p.Model != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.model, p.Model, ok, tt.want)
		}
	}
}

func TestLocalIsAlwaysFree(t *testing.T) {
	path := writeFile(t, `{"models": {"local": {"input": "1", "output": "1"}}}`)
	tbl, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := tbl.Lookup("local")
	if !ok || p.Cost(agent.Usage{InputTokens: 1e6, OutputTokens: 1e6}) != 0 {
		t.Errorf("local = %+v, %v; want free", p, ok)
	}
}

func TestLoadOverride(t *testing.T) {
	path := writeFile(t, `{
	  "version": 1, "currency": "USD",
	  "models": {
	    "gpt-4o": {"input": "5", "output": "20"},
	    "Llama3.1:8B": {"input": "0", "cached_input": "0", "output": "0.000001", "max_output_tokens": 4096}
	  }
	}`)
	tbl, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tbl.Lookup("gpt-4o-2024-08-06")
	if want := (Rates{Input: 5 * money.Dollar, CachedInput: 5 * money.Dollar, Output: 20 * money.Dollar}); p.Rates != want || p.MaxOutputTokens != 0 {
		t.Errorf("overridden gpt-4o = %+v, want %+v and the entry replaced whole", p, want)
	}
	if p, ok := tbl.Lookup("llama3.1:8b"); !ok || p.Output != 1 || p.MaxOutputTokens != 4096 {
		t.Errorf("added model = %+v, %v", p, ok)
	}
	if _, ok := tbl.Lookup("gemini-2.5-flash"); !ok {
		t.Error("shipped entries must survive an override")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not json", `{`, "unexpected EOF"},
		{"unknown field", `{"models": {"m": {"input": "1", "output": "1", "inptu": "2"}}}`, "unknown field"},
		{"missing output", `{"models": {"m": {"input": "1"}}}`, "output is required"},
		{"float", `{"models": {"m": {"input": 1.5, "output": "1"}}}`, "cannot unmarshal"},
		{"bad decimal", `{"models": {"m": {"input": "1.1234567", "output": "1"}}}`, "invalid amount"},
		{"negative", `{"models": {"m": {"input": "-1", "output": "1"}}}`, "invalid amount"},
		{"currency", `{"currency": "EUR", "models": {}}`, "currency"},
		{"version", `{"version": 2, "models": {}}`, "version"},
		{"tier threshold", `{"models": {"m": {"input": "1", "output": "1", "long_context": {"input": "2", "output": "2"}}}}`, "above_input_tokens"},
		{"tier price", `{"models": {"m": {"input": "1", "output": "1", "long_context": {"above_input_tokens": 5, "input": "2"}}}}`, "long_context: output"},
		{"empty name", `{"models": {" ": {"input": "1", "output": "1"}}}`, "empty model name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want containing %q", err, tt.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing override file must be an error")
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
