package a2a_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestAcceptDurable: every turn a SendMessage accepts is committed with
// what runs it should the node stop: a turn the node keeps in its local
// lane — the one it starts at once in its slot, and those waiting for that
// slot (4 × Workers of them) — carries its lease (turns.lease_until, which
// the sweep hands to River once it runs out), any other turn a River job,
// as for POST /api/agent.
func TestAcceptDurable(t *testing.T) {
	const sends, local = 7, 1 + 4 // one slot, four places waiting for it
	script := &testbed.Script{Step: testbed.Echo, Gate: make(chan struct{})}
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: script, Workers: 1})
	t.Cleanup(func() { close(script.Gate) })
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	for i := range sends {
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"d%d","role":"ROLE_USER","parts":[{"text":"hello"}]},"configuration":{"returnImmediately":true}}}`, i)
		req, _ := http.NewRequest("POST", n.URL()+"/a2a", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("X-Api-Key", c.APIKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(out), `"TASK_STATE_SUBMITTED"`) {
			t.Fatalf("SendMessage %d = %s", i, out)
		}
	}
	rows, err := n.DB().Query(t.Context(), `SELECT t.conversation_id, u.lease_until FROM a2a_tasks t
		JOIN turns u ON u.conversation_id = t.conversation_id AND u.turn = t.turn`)
	if err != nil {
		t.Fatal(err)
	}
	type turn struct {
		conv  string
		lease int64
	}
	var turns []turn
	for rows.Next() {
		var u turn
		if err := rows.Scan(&u.conv, &u.lease); err != nil {
			t.Fatal(err)
		}
		turns = append(turns, u)
	}
	rows.Close()
	if len(turns) != sends {
		t.Fatalf("%d tasks with turns, want %d", len(turns), sends)
	}
	leased := 0
	for _, u := range turns {
		var jobs int // the args are binary; the id is in them as is
		if err := n.DB().QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE CAST(args AS TEXT) LIKE ?`, "%"+u.conv+"%").Scan(&jobs); err != nil {
			t.Fatal(err)
		}
		if u.lease > 0 {
			leased++
		}
		if (u.lease > 0) == (jobs > 0) {
			t.Errorf("conversation %s: lease_until %d and %d River jobs, want exactly one of them", u.conv, u.lease, jobs)
		}
	}
	if leased != local {
		t.Errorf("%d turns leased to the local lane, want %d (its slot and the places waiting for it)", leased, local)
	}
}
