package local

import (
	cliptext "github.com/soisnode/soisnode/clip"

	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/soisnode/soisnode/agent"
)

// obj is one decoded JSON object from a tool result. Its accessors
// tolerate missing keys and unexpected types, so a tool whose output
// drifts degrades a reply instead of breaking the plan.
type obj map[string]any

// str returns key as text ("" when absent; numbers and booleans as text).
func (o obj) str(key string) string {
	switch v := o[key].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// num returns key as a number, or 0.
func (o obj) num(key string) float64 {
	switch v := o[key].(type) {
	case float64:
		return v
	case string:
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	return 0
}

// sub returns the object under key, or nil.
func (o obj) sub(key string) obj {
	m, _ := o[key].(map[string]any)
	return obj(m)
}

// list returns the objects in the array under key.
func (o obj) list(key string) []obj {
	arr, _ := o[key].([]any)
	var out []obj
	for _, v := range arr {
		if m, ok := v.(map[string]any); ok {
			out = append(out, obj(m))
		}
	}
	return out
}

// strs returns the strings under key: an array of strings, or one
// comma-separated string.
func (o obj) strs(key string) []string {
	var out []string
	switch v := o[key].(type) {
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
				out = append(out, strings.TrimSpace(s))
			}
		}
	case string:
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// record returns the object a single-record tool returned under key
// ("contact", "task"…), or the whole result when the tool returned the
// record bare.
func (o obj) record(keys ...string) obj {
	for _, k := range keys {
		if s := o.sub(k); s != nil {
			return s
		}
	}
	if o.str("id") != "" {
		return o
	}
	return nil
}

// result is one tool result as the plan reads it.
type result struct {
	tool string
	err  string // why the tool failed; empty on success
	data obj
}

// failed reports whether the tool returned an error.
func (r result) failed() bool { return r.err != "" }

// decodeResult reads a tool result; Content is the JSON of the tool's
// data, or {"error": "..."} when IsError is set.
func decodeResult(tool string, tr agent.ToolResult) result {
	var data obj
	_ = json.Unmarshal(tr.Content, &data)
	// The loop wraps data from outside the workspace (email bodies,
	// extension output) as {"untrusted_data": …, "note": …}. The local
	// agent only ever reads fields from it, never follows it.
	if inner := data.sub("untrusted_data"); inner != nil {
		data = inner
	}
	res := result{tool: tool, data: data}
	if !tr.IsError {
		return res
	}
	for _, k := range []string{"error", "message", "detail"} {
		if s := data.str(k); s != "" {
			res.err = s
			break
		}
	}
	if res.err == "" {
		var s string
		if json.Unmarshal(tr.Content, &s) == nil {
			res.err = s
		} else {
			res.err = string(bytes.TrimSpace(tr.Content))
		}
	}
	res.err = clip(strings.TrimRight(strings.TrimSpace(res.err), "."), 300)
	if res.err == "" {
		res.err = "the tool failed without saying why"
	}
	return res
}

// pairResults matches results to calls by call id, falling back to
// position (the loop sends one result per call, in order).
func pairResults(calls []agent.ToolCall, results []agent.ToolResult) []result {
	out := make([]result, len(calls))
	for i, c := range calls {
		found := false
		for _, tr := range results {
			if tr.CallID != "" && tr.CallID == c.ID {
				out[i], found = decodeResult(c.Name, tr), true
				break
			}
		}
		if !found && i < len(results) && (results[i].Name == "" || results[i].Name == c.Name) {
			out[i], found = decodeResult(c.Name, results[i]), true
		}
		if !found {
			out[i] = result{tool: c.Name, err: "the tool returned no result"}
		}
	}
	return out
}

// clip shortens s to at most n runes (the one truncation helper).
func clip(s string, n int) string { return cliptext.Runes(s, n) }
