package strictjson_test

import (
	"encoding/json"
	"testing"

	"github.com/soisnode/soisnode/strictjson"
)

// FuzzCheck: Check never panics, and what it accepts encoding/json
// accepts too.
func FuzzCheck(f *testing.F) {
	for _, tt := range checkTests {
		f.Add([]byte(tt.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if strictjson.Check(data) == nil && !json.Valid(data) {
			t.Fatalf("Check accepted %q, which encoding/json refuses", data)
		}
	})
}
