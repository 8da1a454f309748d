package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

type negotiationView struct {
	ID       string `json:"id"`
	Peer     string `json:"peer"`
	Goal     string `json:"goal"`
	Status   string `json:"status"`
	Summary  string `json:"summary"`
	MaxTurns int    `json:"max_turns"`
	Turns    []struct {
		Seq  int64  `json:"seq"`
		From string `json:"from"`
		Type string `json:"type"`
		Text string `json:"text"`
		JWS  string `json:"jws"`
	} `json:"turns"`
	FinishedAt *time.Time `json:"finished_at"`
}

func loopbackNode(t *testing.T, name string) *testbed.Node {
	return testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), NodeName: name, PeerAllowHosts: []string{"127.0.0.1"}, WebhookAllowHosts: []string{"127.0.0.1"}})
}

// pin makes workspace ws of from pin the node to.
func pin(t *testing.T, from *testbed.Node, ws string, to *testbed.Node) peers.Peer {
	t.Helper()
	ctx := context.Background()
	f, err := peers.Fetch(ctx, from.PeerClient(), to.URL())
	if err != nil {
		t.Fatalf("fetch %s: %v", to.URL(), err)
	}
	p, err := peers.Add(ctx, from.DB(), ws, f, peers.PolicyChange{}, time.Now())
	if err != nil {
		t.Fatalf("pin: %v", err)
	}
	return p
}

func postEnvelope(t *testing.T, n *testbed.Node, jws string) (int, []byte) {
	t.Helper()
	res, err := http.Post(n.URL()+node.MessagesPath, "application/jose", bytes.NewReader([]byte(jws)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

func TestNegotiationBetweenTwoNodes(t *testing.T) {
	a, b := loopbackNode(t, "Node A"), loopbackNode(t, "Node B")
	hooks := make(chan []byte, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hooks <- body
	}))
	t.Cleanup(recv.Close)
	ca := testbed.Workspace(t, a.DB(), workspace.Owner, access.KeyParams{Name: "a", ResponseURL: recv.URL + "/hook"})
	cb := testbed.Workspace(t, b.DB(), workspace.Owner, access.KeyParams{Name: "b"})
	pin(t, a, ca.WorkspaceID, b)
	pin(t, b, cb.WorkspaceID, a)

	res := a.Do("POST", "/api/negotiations", ca, map[string]any{"peer": b.NodeID(), "goal": "buy 40 seats", "max_usd": "0.50", "max_turns": 4})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var created negotiationView
	res.JSON(t, &created)

	check := func(n *testbed.Node, c testbed.Creds, peer string) negotiationView {
		t.Helper()
		res := n.Do("GET", "/api/negotiations/"+created.ID, c, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("get on %s: %d %s", n.NodeID(), res.Status, res.Body)
		}
		var v negotiationView
		res.JSON(t, &v)
		if v.ID != created.ID || v.Status != "closed" || v.Peer != peer || v.Goal != "buy 40 seats" || v.FinishedAt == nil || v.Summary == "" {
			t.Fatalf("negotiation on %s: %+v", n.NodeID(), v)
		}
		if len(v.Turns) != 2 || v.Turns[0].Type != "open" || v.Turns[0].From != a.NodeID() || v.Turns[0].Text != "buy 40 seats" ||
			v.Turns[1].Type != "close" || v.Turns[1].From != b.NodeID() || v.Turns[0].JWS == "" || v.Turns[1].JWS == "" {
			t.Fatalf("turns on %s: %+v", n.NodeID(), v.Turns)
		}
		return v
	}
	onA, onB := check(a, ca, b.NodeID()), check(b, cb, a.NodeID())
	if created.Status != "closed" || len(created.Turns) != 2 {
		t.Fatalf("create answered %+v", created)
	}
	for i := range onA.Turns {
		if onA.Turns[i].JWS != onB.Turns[i].JWS {
			t.Fatalf("turn %d differs between the sides", i+1)
		}
	}

	select {
	case body := <-hooks:
		var hook struct {
			Event       string          `json:"event"`
			Negotiation negotiationView `json:"negotiation"`
		}
		if err := json.Unmarshal(body, &hook); err != nil || hook.Event != "negotiation.finished" ||
			hook.Negotiation.ID != created.ID || hook.Negotiation.Status != "closed" || len(hook.Negotiation.Turns) != 2 {
			t.Fatalf("webhook: %v %s", err, body)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no negotiation.finished webhook")
	}

	// Another workspace of the same node does not see it.
	other := testbed.Workspace(t, a.DB(), workspace.Owner, access.KeyParams{Name: "other"})
	if res := a.Do("GET", "/api/negotiations/"+created.ID, other, nil); res.Status != http.StatusNotFound {
		t.Fatalf("other workspace: %d %s", res.Status, res.Body)
	}

	// The open envelope again is refused.
	if status, body := postEnvelope(t, b, onA.Turns[0].JWS); status != http.StatusConflict {
		t.Fatalf("replay: %d %s", status, body)
	}
	// So is an envelope from a node b has not pinned.
	c := loopbackNode(t, "Node C")
	cc := testbed.Workspace(t, c.DB(), workspace.Owner, access.KeyParams{Name: "c"})
	pin(t, c, cc.WorkspaceID, b)
	res = c.Do("POST", "/api/negotiations", cc, map[string]any{"peer": b.NodeID(), "goal": "hello"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create from c: %d %s", res.Status, res.Body)
	}
	var failed negotiationView
	res.JSON(t, &failed)
	if failed.Status != "failed" || len(failed.Turns) != 1 {
		t.Fatalf("unpinned: %+v", failed)
	}
	if status, body := postEnvelope(t, b, failed.Turns[0].JWS); status != http.StatusUnauthorized || !bytes.Contains(body, []byte("not a pinned peer")) {
		t.Fatalf("unpinned sender: %d %s", status, body)
	}
	if status, body := postEnvelope(t, b, "not a jws"); status != http.StatusBadRequest {
		t.Fatalf("garbage: %d %s", status, body)
	}
	// An unknown peer is not found.
	if res := a.Do("POST", "/api/negotiations", ca, map[string]any{"peer": "node_nobody", "goal": "x"}); res.Status != http.StatusNotFound {
		t.Fatalf("unknown peer: %d %s", res.Status, res.Body)
	}
}

func TestSummarize(t *testing.T) {
	n := negotiation.Negotiation{Turns: []negotiation.Turn{
		{Seq: 1, From: "node_a", Type: negotiation.TypeOpen, Text: "buy 40 seats"},
		{Seq: 2, From: "node_b", Type: negotiation.TypeClose, Text: "no"},
	}}
	got := node.Summarize(n, negotiation.StatusClosed, "node_a")
	want := "closed after 2 turns.\n1 open (us): buy 40 seats\n2 close (peer): no"
	if got != want {
		t.Fatalf("Summarize = %q, want %q", got, want)
	}
}
