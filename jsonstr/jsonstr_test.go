package jsonstr_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/soisnode/soisnode/jsonstr"
)

// TestAppendIsEncodingJSON: Append writes what encoding/json writes, with
// and without HTML escaping, for fixed hard cases and random strings.
func TestAppendIsEncodingJSON(t *testing.T) {
	cases := []string{"", "plain", `q"b\s`, "<a href='x'>&</a>", "\x00\x1f\n\r\t\b\f", "line\u2028sep\u2029", "bad\xffutf8\xc3", "émoji 🙂"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		for _, html := range []bool{true, false} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			if got := jsonstr.Append([]byte("x"), s, html); string(got) != "x"+string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
				t.Fatalf("Append(%q, html=%v) = %s, encoding/json %s", s, html, got[1:], want.Bytes())
			}
		}
	}
}
