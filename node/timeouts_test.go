package node_test

import (
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestHTTPTimeouts: the node's listener cuts off a client that trickles
// its headers, while a long poll held past every timeout still answers.
func TestHTTPTimeouts(t *testing.T) {
	const step = time.Second
	n, s := heldNode(t, storetest.SQLiteURL(t), node.Config{HTTPTimeouts: httpapi.Timeouts{ReadHeader: step, Read: step, Write: step}})
	if reply := httpapitest.SlowLoris(t, n.Addr(), 50*time.Millisecond, 10*time.Second); len(reply) != 0 {
		t.Errorf("the node answered %q; want the connection closed on the header timeout", reply)
	}
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	fillRunning(t, n, s, c)
	// The turn is held: the request waits its whole ?wait=3, past the
	// read and write timeouts, and answers that the turn is queued.
	r := n.Do("POST", "/api/agent?wait=3", c, map[string]any{"message": "second"})
	var acc struct {
		ConversationID string `json:"conversation_id"`
		Status         string `json:"status"`
	}
	if r.Status != 202 {
		t.Fatalf("POST /api/agent?wait=3 = %d %s", r.Status, r.Body)
	}
	if r.JSON(t, &acc); acc.ConversationID == "" || acc.Status != "queued" {
		t.Fatalf("POST /api/agent?wait=3: %s", r.Body)
	}
}
