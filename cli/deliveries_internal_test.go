package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/soisnode/soisnode/httpapi"
)

// A delivery's recorded response is whatever the receiver sent back: a
// receiver must not be able to drive the operator's terminal (escape
// sequences that retitle it, write the clipboard, fake output) through
// `soisnode deliveries show`.
func TestPrintDeliveryNeutralisesControlCharacters(t *testing.T) {
	now := time.Now()
	d := httpapi.DeliveryDetail{
		DeliveryView: httpapi.DeliveryView{ID: "d1", Event: "conversation.completed", URL: "https://hooks.example/x", Status: "dead",
			LastStatus: 500, CreatedAt: now, UpdatedAt: now},
		AttemptLog: []httpapi.AttemptView{{Attempt: 1, At: now, StatusCode: 500,
			Response: "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x9b31mfake\rprompt$ ", Error: "\x1b[31mboom"}},
	}
	var out bytes.Buffer
	if err := printDelivery(&out, d); err != nil {
		t.Fatal(err)
	}
	for _, r := range out.String() {
		if unicode.IsControl(r) && r != '\n' {
			t.Fatalf("control character %U reaches the terminal:\n%q", r, out.String())
		}
	}
	if !strings.Contains(out.String(), "fake") {
		t.Fatalf("the printable part of the response is gone:\n%s", out.String())
	}
}
