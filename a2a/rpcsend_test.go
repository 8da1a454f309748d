package a2a

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2asrv"
)

// TestSubmittedEncoding: the answer serveSend writes for a new task queued
// without waiting is byte for byte the one a2a-go's JSON-RPC binding
// writes for the same task (submitted.view), whatever the request id, the
// text (quotes, escapes, HTML characters, line separators, invalid UTF-8),
// the historyLength, the turn and the time.
func TestSubmittedEncoding(t *testing.T) {
	ids := []string{`1`, `0`, `-7`, `1.5`, `1e21`, `123456789012`, `"abc"`, `"<a&b>\"\u2028"`, `null`, ``}
	texts := []string{
		"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com",
		`quote " backslash \ slash /`,
		"lines\nand\ttabs\r\n",
		"<b>Tom & Jerry</b>",
		"sep \u2028 para \u2029 end",
		"ümlaut, 日本語, emoji 🙂",
		"control \x01\x1f\b\f bytes",
		"bad utf-8 \xff\xfe here",
		"",
	}
	at := []time.Time{
		time.Date(2026, 12, 7, 19, 42, 43, 648_123_456, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)),
		time.Date(2026, 1, 2, 3, 4, 5, 100_000_000, time.UTC),
	}
	histories := []int{-1, 0, 1, 3}
	turns := []int{1, 17}
	n := 0
	for i, id := range ids {
		for j, text := range texts {
			q := &submitted{
				task: Task{ID: "01JD7X3K9Q6M2B5V8N4R0T1W2Y", ConversationID: "01JD7X3K9Q6M2B5V8N4R0T1W2Z", FirstTurn: turns[(i+j)%2], Turn: turns[(i+j)%2]},
				text: text, at: at[(i+j)%len(at)], history: histories[(i+2*j)%len(histories)],
			}
			if j == 1 {
				q.task.ConversationID = `ctx"<&>` // escaped like any string
			}
			want := a2agoAnswer(t, id, q)
			var env rpcRequest
			if err := json.Unmarshal(rpcBody(id), &env); err != nil {
				t.Fatal(err)
			}
			got := appendSubmitted(nil, env.ID, q)
			if !bytes.Equal(got, want) {
				t.Errorf("id %s, text %q, history %d:\n got %s\nwant %s", id, text, q.history, got, want)
			}
			n++
		}
	}
	if n != len(ids)*len(texts) {
		t.Fatalf("compared %d answers", n)
	}
}

// TestAppendString: appendString writes what encoding/json writes, for
// random strings of bytes that JSON escapes and of multi-byte runes.
func TestAppendString(t *testing.T) {
	alphabet := []string{"a", "Z", "0", " ", `"`, `\`, "/", "<", ">", "&", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f",
		"é", "日", "🙂", "\u2028", "\u2029", "\xff", "\xe6", "\xed\xa0\x80", "\uFFFD"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

// rpcBody is a SendMessage request with JSON-RPC id id ("" leaves it out).
func rpcBody(id string) []byte {
	idField := ""
	if id != "" {
		idField = `"id":` + id + `,`
	}
	return []byte(`{"jsonrpc":"2.0",` + idField + `"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}`)
}

// a2agoAnswer is what a2a-go's JSON-RPC binding writes when SendMessage
// returns q.view() to the request with id.
func a2agoAnswer(t *testing.T, id string, q *submitted) []byte {
	t.Helper()
	h := a2asrv.NewJSONRPCHandler(answered{res: q.view()})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(rpcBody(id))))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("a2a-go answered %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	return rec.Body.Bytes()
}
