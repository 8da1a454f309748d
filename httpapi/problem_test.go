package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/workspace"
)

// TestValidationEchoesLittle: a validation error names the location and
// the rule, and repeats a short value as sent, but not a long one: a long
// string comes back cut (on a character boundary) and ended with "…", a
// long object not at all; the error stays small whatever was sent.
func TestValidationEchoesLittle(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Owner, access.KeyParams{})
	long := strings.Repeat("é", 4500) // over the goal's 4000 characters
	for _, tc := range []struct {
		name, path string
		body       map[string]any
		location   string
		want       func(v any) bool
	}{
		{"short value", "/api/negotiations", map[string]any{"peer": "erp", "goal": "buy", "max_turns": 101}, "body.max_turns",
			func(v any) bool { return v == float64(101) }},
		{"long string", "/api/negotiations", map[string]any{"peer": "erp", "goal": long}, "body.goal",
			func(v any) bool {
				s, ok := v.(string)
				return ok && len(s) <= 256+len("…") && utf8.ValidString(s) && strings.HasSuffix(s, "é…")
			}},
		{"long object", "/api/agent", map[string]any{"message": strings.Repeat("a", 20000), "colour": "blue"}, "body.colour",
			func(v any) bool { return v == nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := api.Post(tc.path, append(httpapitest.Auth(c), tc.body)...)
			problem(t, r, http.StatusUnprocessableEntity)
			if r.Body.Len() > 2000 {
				t.Errorf("a %d-byte error for one bad field", r.Body.Len())
			}
			var p struct {
				Errors []struct {
					Location string `json:"location"`
					Value    any    `json:"value"`
				} `json:"errors"`
			}
			decode(t, r, &p)
			if len(p.Errors) != 1 || p.Errors[0].Location != tc.location || !tc.want(p.Errors[0].Value) {
				v, _ := json.Marshal(p.Errors)
				t.Fatalf("errors %s", v)
			}
		})
	}
}

// TestUnparsableBodySaysSo: a body that is not JSON, or not sent as JSON,
// is not "validation failed" but says what is wrong with it.
func TestUnparsableBodySaysSo(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Owner, access.KeyParams{})
	for _, tc := range []struct {
		ctype, body, want string
		status            int
	}{
		{"application/json", `{"message": `, "not valid JSON", http.StatusBadRequest},
		{"application/json", `{"message": "hi",}`, "not valid JSON", http.StatusBadRequest},
		{"text/plain", `{"message": "hi"}`, "send application/json", http.StatusUnsupportedMediaType},
	} {
		r := api.Post("/api/agent", append(httpapitest.Auth(c), "Content-Type: "+tc.ctype, strings.NewReader(tc.body))...)
		if d := problem(t, r, tc.status); !strings.Contains(d, tc.want) {
			t.Errorf("%s %q: detail %q, want it to say %q", tc.ctype, tc.body, d, tc.want)
		}
	}
}
