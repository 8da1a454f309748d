package a2a_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestMessageIDClaims: a new task's messageId is claimed by the task row
// itself (migration 0032). The same message sent by many requests at once
// makes one task and one turn, and every request gets that task; a
// message resent while its conversation's turn still runs (so a second
// turn could not even be added) gets its task, not a conflict; the same
// messageId with another text is refused and adds nothing.
func TestMessageIDClaims(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			script := &testbed.Script{Step: testbed.Echo, Gate: make(chan struct{})}
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: script})
			t.Cleanup(func() { close(script.Gate) })
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			count := func(q string, args ...any) int {
				t.Helper()
				var k int
				if err := n.DB().QueryRow(t.Context(), q, args...).Scan(&k); err != nil {
					t.Fatal(err)
				}
				return k
			}

			// Twins, all at once.
			const twins = 8
			ids := make([]string, twins)
			var wg sync.WaitGroup
			for i := range twins {
				wg.Go(func() {
					task, errMsg := rpcSend(t, n, c, "twin", "hello", "")
					if errMsg != "" {
						t.Errorf("twin %d: %s", i, errMsg)
					}
					ids[i] = task.ID
				})
			}
			wg.Wait()
			for i, id := range ids {
				if id == "" || id != ids[0] {
					t.Fatalf("twin %d got task %q, twin 0 %q", i, id, ids[0])
				}
			}
			if k := count(`SELECT count(*) FROM a2a_tasks WHERE key_id = ?`, c.KeyID); k != 1 {
				t.Fatalf("%d tasks for one message sent %d times", k, twins)
			}
			if k := count(`SELECT count(*) FROM turns u JOIN conversations v ON v.id = u.conversation_id WHERE v.key_id = ?`, c.KeyID); k != 1 {
				t.Fatalf("%d turns for one message sent %d times", k, twins)
			}

			// Resent while its turn is held: the same task. (Continuing the
			// context again would be refused: its turn still runs.)
			first, errMsg := rpcSend(t, n, c, "cancel-me", "hello", "")
			if errMsg != "" {
				t.Fatal(errMsg)
			}
			if _, errMsg := rpcCall(t, n, c, `{"jsonrpc":"2.0","id":2,"method":"CancelTask","params":{"id":"`+first.ID+`"}}`); errMsg != "" {
				t.Fatal(errMsg)
			}
			next, errMsg := rpcSend(t, n, c, "next", "and again", first.ContextID)
			if errMsg != "" || next.ContextID != first.ContextID {
				t.Fatalf("continue the context: %+v %s", next, errMsg)
			}
			again, errMsg := rpcSend(t, n, c, "next", "and again", first.ContextID)
			if errMsg != "" || again.ID != next.ID {
				t.Fatalf("resent while its turn runs: %+v %s, want task %s", again, errMsg, next.ID)
			}
			if _, errMsg := rpcSend(t, n, c, "other", "more", first.ContextID); errMsg == "" {
				t.Fatal("a new message to a context whose turn runs was accepted")
			}

			// The same messageId, another text: refused, nothing added.
			tasks := count(`SELECT count(*) FROM a2a_tasks`)
			convs := count(`SELECT count(*) FROM conversations`)
			if _, errMsg := rpcSend(t, n, c, "twin", "something else", ""); errMsg == "" {
				t.Fatal("a reused messageId with another text was accepted")
			}
			if count(`SELECT count(*) FROM a2a_tasks`) != tasks || count(`SELECT count(*) FROM conversations`) != convs {
				t.Fatal("a refused message left rows behind")
			}
		})
	}
}

type rpcTask struct {
	ID        string `json:"id"`
	ContextID string `json:"contextId"`
}

// rpcSend sends a non-blocking JSON-RPC SendMessage and returns its task,
// or the JSON-RPC error's message.
func rpcSend(t *testing.T, n *testbed.Node, c testbed.Creds, messageID, text, contextID string) (rpcTask, string) {
	t.Helper()
	msg := map[string]any{"messageId": messageID, "role": "ROLE_USER", "parts": []any{map[string]any{"text": text}}}
	if contextID != "" {
		msg["contextId"] = contextID
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "SendMessage",
		"params": map[string]any{"message": msg, "configuration": map[string]any{"returnImmediately": true}}})
	raw, errMsg := rpcCall(t, n, c, string(body))
	var out struct {
		Task rpcTask `json:"task"`
	}
	if errMsg == "" {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Errorf("SendMessage result %s: %v", raw, err)
		}
	}
	return out.Task, errMsg
}

// rpcCall posts one JSON-RPC request to /a2a and returns its result, or
// its error's message.
func rpcCall(t *testing.T, n *testbed.Node, c testbed.Creds, body string) (json.RawMessage, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", n.URL()+"/a2a", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("X-Api-Key", c.APIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err.Error()
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Sprintf("HTTP %d %s", res.StatusCode, raw)
	}
	if out.Error != nil {
		return nil, out.Error.Message
	}
	return out.Result, ""
}
