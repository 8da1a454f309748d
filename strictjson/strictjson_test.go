package strictjson_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/strictjson"
)

var checkTests = []struct {
	name string
	doc  string
	want error  // nil: accepted
	says string // the error mentions this
}{
	{"object", `{"a":1,"b":{"c":[1,2,{"d":null}]}}`, nil, ""},
	{"scalar", `"x"`, nil, ""},
	{"number", ` 12.5e3 `, nil, ""},
	{"empty object and array", `{"a":{},"b":[]}`, nil, ""},
	{"same key in sibling objects", `[{"a":1},{"a":2}]`, nil, ""},
	{"same key at two depths", `{"a":{"a":{"a":1}}}`, nil, ""},
	{"trailing whitespace", "{\"a\":1}\n\t ", nil, ""},
	{"non-ASCII", `{"name":"Zürich ☃ 😀"}`, nil, ""},
	{"surrogate pair escape", `{"e":"\ud83d\ude00"}`, nil, ""},
	{"escaped backslash then u", `{"e":"\\ud800"}`, nil, ""},

	{"duplicate key", `{"a":1,"a":2}`, strictjson.ErrDuplicateKey, `"a" at $`},
	{"duplicate key, different values", `{"to":"node_b","v":1,"to":"node_c"}`, strictjson.ErrDuplicateKey, `"to"`},
	{"nested duplicate", `{"body":{"data":{"x":1,"y":2,"x":3}}}`, strictjson.ErrDuplicateKey, `"x" at $.body.data`},
	{"duplicate in array element", `{"items":[{"k":1},{"k":1,"k":2}]}`, strictjson.ErrDuplicateKey, `$.items[]`},
	{"escaped duplicate", `{"a":1,"\u0061":2}`, strictjson.ErrDuplicateKey, `"a"`},
	{"escaped duplicate, upper hex", `{"\u0041b":1,"Ab":2}`, strictjson.ErrDuplicateKey, `"Ab"`},
	{"escaped slash duplicate", `{"a/b":1,"a\/b":2}`, strictjson.ErrDuplicateKey, `"a/b"`},
	{"nested escaped duplicate", `{"x":[{"y":{"kid":"1","\u006bid":"2"}}]}`, strictjson.ErrDuplicateKey, `"kid"`},

	{"invalid UTF-8 in a string", "{\"a\":\"\xff\"}", strictjson.ErrInvalidUTF8, "byte 6"},
	{"truncated UTF-8 sequence", "{\"a\":\"\xe2\x98\"}", strictjson.ErrInvalidUTF8, "byte 6"},
	{"overlong encoding", "{\"a\":\"\xc0\xaf\"}", strictjson.ErrInvalidUTF8, ""},
	{"invalid UTF-8 in a key", "{\"\xfe\":1}", strictjson.ErrInvalidUTF8, ""},
	{"lone high surrogate", `{"a":"\ud800"}`, strictjson.ErrInvalidUTF8, "unpaired surrogate"},
	{"lone low surrogate", `{"a":"x\udc00"}`, strictjson.ErrInvalidUTF8, "unpaired surrogate"},
	{"high surrogate then non-surrogate", `{"a":"\ud800\u0041"}`, strictjson.ErrInvalidUTF8, "unpaired surrogate"},

	{"two values", `{"a":1} {"a":2}`, strictjson.ErrTrailingData, ""},
	{"trailing garbage", `{"a":1}x`, strictjson.ErrTrailingData, ""},
	{"trailing close", `{"a":1}}`, strictjson.ErrTrailingData, ""},
	{"trailing NUL", "{\"a\":1}\x00", strictjson.ErrTrailingData, ""},

	{"empty", ``, strictjson.ErrSyntax, ""},
	{"truncated", `{"a":`, strictjson.ErrSyntax, ""},
	{"bad syntax", `{"a" 1}`, strictjson.ErrSyntax, ""},
	{"unquoted key", `{a:1}`, strictjson.ErrSyntax, ""},
	{"too deep", strings.Repeat("[", strictjson.MaxDepth+1) + strings.Repeat("]", strictjson.MaxDepth+1), strictjson.ErrTooDeep, ""},
}

func TestCheck(t *testing.T) {
	for _, tt := range checkTests {
		t.Run(tt.name, func(t *testing.T) {
			err := strictjson.Check([]byte(tt.doc))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check(%s) = %v, want accepted", tt.doc, err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("Check(%q) = %v, want %v mentioning %q", tt.doc, err, tt.want, tt.says)
			}
		})
	}
}

// TestCheckMaxDepth: exactly MaxDepth levels pass.
func TestCheckMaxDepth(t *testing.T) {
	doc := strings.Repeat(`{"a":`, strictjson.MaxDepth) + "1" + strings.Repeat("}", strictjson.MaxDepth)
	if err := strictjson.Check([]byte(doc)); err != nil {
		t.Fatal(err)
	}
}

func TestUnmarshal(t *testing.T) {
	var v struct{ A string }
	if err := strictjson.Unmarshal([]byte(`{"A":"x"}`), &v); err != nil || v.A != "x" {
		t.Fatalf("Unmarshal = %+v, %v", v, err)
	}
	v.A = "kept"
	if err := strictjson.Unmarshal([]byte(`{"A":"x","A":"y"}`), &v); !errors.Is(err, strictjson.ErrDuplicateKey) || v.A != "kept" {
		t.Fatalf("duplicate: %+v, %v", v, err)
	}
	if err := strictjson.Unmarshal([]byte(`{"A":1}`), &v); !errors.Is(err, strictjson.ErrSyntax) {
		t.Fatalf("wrong type: %v", err)
	}
}
