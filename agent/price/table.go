package price

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/soisnode/soisnode/money"
)

// LocalModel is the model name of the built-in offline provider. It is
// always priced, at zero, whatever the table or an override says.
const LocalModel = "local"

//go:embed prices.json
var shipped []byte

// Table maps model names to prices. It is immutable after Load and safe for
// concurrent use.
type Table struct {
	prices map[string]Price
	byLen  []string // names, longest first, for the dated-variant rule
}

// file is the on-disk format of prices.json and of an override file.
// Amounts are decimal strings in USD per million tokens, at most six
// decimals. Unknown fields are rejected so that a typo fails loudly.
type file struct {
	Version  int                  `json:"version"`
	Currency string               `json:"currency"`
	Unit     string               `json:"unit"`
	Checked  string               `json:"checked"`
	Note     string               `json:"note"`
	Models   map[string]fileEntry `json:"models"`
}

type fileEntry struct {
	Input           string    `json:"input"`
	CachedInput     string    `json:"cached_input"` // optional; defaults to input
	Output          string    `json:"output"`
	MaxOutputTokens int64     `json:"max_output_tokens"`
	LongContext     *fileTier `json:"long_context"`
}

type fileTier struct {
	AboveInputTokens int64  `json:"above_input_tokens"`
	Input            string `json:"input"`
	CachedInput      string `json:"cached_input"`
	Output           string `json:"output"`
}

// Load returns the shipped table with the entries of overrideFile (same
// format; "" for none) merged over it. An override entry replaces the
// shipped entry of the same model name whole; models it does not name keep
// their shipped price. A missing or malformed override file is an error, so
// a mistyped SOIS_PRICES_FILE never silently falls back to list prices.
func Load(overrideFile string) (*Table, error) {
	base, err := parse(shipped)
	if err != nil {
		return nil, fmt.Errorf("price: shipped table: %w", err)
	}
	if overrideFile != "" {
		data, err := os.ReadFile(overrideFile)
		if err != nil {
			return nil, fmt.Errorf("price: override: %w", err)
		}
		over, err := parse(data)
		if err != nil {
			return nil, fmt.Errorf("price: override %s: %w", overrideFile, err)
		}
		for name, p := range over {
			base[name] = p
		}
	}
	return newTable(base), nil
}

// Default is the shipped table alone. It panics if the embedded file is
// invalid, which the package tests rule out.
func Default() *Table {
	t, err := Load("")
	if err != nil {
		panic(err)
	}
	return t
}

func newTable(prices map[string]Price) *Table {
	t := &Table{prices: prices}
	for name := range prices {
		t.byLen = append(t.byLen, name)
	}
	sort.Slice(t.byLen, func(i, j int) bool {
		if len(t.byLen[i]) != len(t.byLen[j]) {
			return len(t.byLen[i]) > len(t.byLen[j])
		}
		return t.byLen[i] < t.byLen[j]
	})
	return t
}

// Models lists the priced model names, sorted.
func (t *Table) Models() []string {
	names := append([]string(nil), t.byLen...)
	sort.Strings(names)
	return names
}

// Lookup finds the price of model. Names compare case-insensitively and a
// leading "models/" (the Gemini API's resource prefix) is ignored. An exact
// entry wins; otherwise the longest entry N such that model is
// N + "-" + a version suffix matches, where a version suffix is "latest",
// or digits and hyphens starting with a digit ("2024-08-06", "001",
// "09-2025"), optionally preceded by "preview" ("preview", "preview-05-20").
// So "gpt-4o-2024-08-06" is priced as "gpt-4o", but "gpt-4o-audio-preview"
// and "gpt-5-pro" are not priced as "gpt-4o" or "gpt-5": a different product
// must have its own entry. LocalModel is always priced at zero.
func (t *Table) Lookup(model string) (Price, bool) {
	name := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(model)), "models/")
	if name == LocalModel {
		return Price{Model: LocalModel}, true
	}
	if p, ok := t.prices[name]; ok {
		return p, true
	}
	for _, n := range t.byLen {
		if rest, ok := strings.CutPrefix(name, n+"-"); ok && versionSuffix(rest) {
			return t.prices[n], true
		}
	}
	return Price{}, false
}

// versionSuffix reports whether s names a dated or numbered release of a
// model rather than a different model.
func versionSuffix(s string) bool {
	if s == "latest" || s == "preview" {
		return true
	}
	if rest, ok := strings.CutPrefix(s, "preview-"); ok {
		s = rest
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func parse(data []byte) (map[string]Price, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if f.Version != 0 && f.Version != 1 {
		return nil, fmt.Errorf("unsupported version %d", f.Version)
	}
	if f.Currency != "" && f.Currency != "USD" {
		return nil, fmt.Errorf("unsupported currency %q (want USD)", f.Currency)
	}
	out := make(map[string]Price, len(f.Models))
	for name, e := range f.Models {
		key := strings.ToLower(strings.TrimSpace(name))
		if key == "" {
			return nil, errors.New("empty model name")
		}
		p, err := e.price(key)
		if err != nil {
			return nil, fmt.Errorf("model %q: %w", name, err)
		}
		out[key] = p
	}
	return out, nil
}

func (e fileEntry) price(name string) (Price, error) {
	r, err := rates(e.Input, e.CachedInput, e.Output)
	if err != nil {
		return Price{}, err
	}
	if e.MaxOutputTokens < 0 {
		return Price{}, errors.New("max_output_tokens is negative")
	}
	p := Price{Model: name, Rates: r, MaxOutputTokens: e.MaxOutputTokens}
	if lc := e.LongContext; lc != nil {
		if lc.AboveInputTokens <= 0 {
			return Price{}, errors.New("long_context: above_input_tokens must be positive")
		}
		lr, err := rates(lc.Input, lc.CachedInput, lc.Output)
		if err != nil {
			return Price{}, fmt.Errorf("long_context: %w", err)
		}
		p.LongContext = &Tier{AboveInputTokens: lc.AboveInputTokens, Rates: lr}
	}
	return p, nil
}

// rates parses one tier; a missing cached price defaults to the input price
// (a provider without a cache discount must not be undercharged).
func rates(input, cached, output string) (Rates, error) {
	var r Rates
	var err error
	if r.Input, err = amount("input", input); err != nil {
		return r, err
	}
	if r.Output, err = amount("output", output); err != nil {
		return r, err
	}
	r.CachedInput = r.Input
	if cached != "" {
		if r.CachedInput, err = amount("cached_input", cached); err != nil {
			return r, err
		}
	}
	return r, nil
}

func amount(field, s string) (money.Micro, error) {
	if s == "" {
		return 0, fmt.Errorf("%s is required", field)
	}
	m, err := money.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	return m, nil
}
