package a2a_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestBacklogLimit: an A2A SendMessage is held to the node's backlog
// limits as POST /api/agent is: past the key's limit of queued turns it is
// refused with a server error saying so, and nothing is stored for it.
func TestBacklogLimit(t *testing.T) {
	script := &testbed.Script{Step: testbed.Echo, Gate: make(chan struct{})}
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: script, Workers: 1, MaxQueuedPerKey: 2})
	t.Cleanup(func() { close(script.Gate) })
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	accepted, refused := 0, ""
	for i := range 10 {
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m%d","role":"ROLE_USER","parts":[{"text":"hello"}]},"configuration":{"returnImmediately":true}}}`, i)
		req, _ := http.NewRequest("POST", n.URL()+"/a2a", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("X-Api-Key", c.APIKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if out.Error != nil {
			if out.Error.Code != -32000 || !strings.Contains(out.Error.Message, "queued") {
				t.Fatalf("refusal %d %q", out.Error.Code, out.Error.Message)
			}
			refused = out.Error.Message
			break
		}
		accepted++
	}
	if refused == "" {
		t.Fatalf("%d messages accepted past a per-key limit of 2 queued turns", accepted)
	}
	var tasks int
	if err := n.DB().QueryRow(t.Context(), `SELECT count(*) FROM a2a_tasks`).Scan(&tasks); err != nil || tasks != accepted {
		t.Fatalf("%d tasks stored for %d accepted messages (%v)", tasks, accepted, err)
	}
}
