package node_test

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace"
)

// plainAgent is a third-party A2A agent: a2a-go v2's own server and
// in-memory task store, with an executor that asks which city when a
// context starts, and answers the follow-up in the same task with two
// contacts as text and as a data part. It records what it was sent, each
// message with the context it landed in.
type plainAgent struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []*spec.Message
}

func newPlainAgent(t *testing.T) *plainAgent {
	t.Helper()
	a := &plainAgent{}
	mux := http.NewServeMux()
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	card := &spec.AgentCard{
		Name: "Plain Contacts Agent", Description: "A third-party A2A agent", Version: "1.0.0",
		SupportedInterfaces: []*spec.AgentInterface{spec.NewAgentInterface(a.srv.URL+"/rpc", spec.TransportProtocolJSONRPC)},
		DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"},
		Skills: []spec.AgentSkill{{ID: "contacts", Name: "Contacts", Description: "Finds contacts.", Tags: []string{"crm"}}},
	}
	mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewStaticAgentCardHandler(card))
	mux.Handle("/rpc", a2asrv.NewJSONRPCHandler(a2asrv.NewHandler(a)))
	return a
}

func (a *plainAgent) messages() []*spec.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*spec.Message(nil), a.got...)
}

// waitMessages waits until the agent has received at least n messages (a
// close is sent after the exchange has ended on our side), then returns
// what it received.
func (a *plainAgent) waitMessages(t *testing.T, n int) []*spec.Message {
	t.Helper()
	poll.Until(30*time.Second, func() bool { return len(a.messages()) >= n })
	return a.messages()
}

func (a *plainAgent) Execute(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[spec.Event, error] {
	m := *ec.Message
	m.ContextID = ec.ContextID // the context the server put it in (a new one unless the message named one)
	a.mu.Lock()
	a.got = append(a.got, &m)
	a.mu.Unlock()
	return func(yield func(spec.Event, error) bool) {
		if ec.StoredTask == nil && !yield(spec.NewSubmittedTask(ec, ec.Message), nil) {
			return
		}
		if ec.StoredTask == nil && ec.Message.TaskID == "" && len(a.messages()) == 1 {
			ask := spec.NewMessageForTask(spec.MessageRoleAgent, ec, spec.NewTextPart("Which London do you mean: London UK or London Ontario?"))
			yield(spec.NewStatusUpdateEvent(ec, spec.TaskStateInputRequired, ask), nil)
			return
		}
		records := map[string]any{"kind": "contacts", "items": []any{
			map[string]any{"name": "Ann Lee", "company": "Acme", "city": "London"},
			map[string]any{"name": "Bob Ray", "company": "Initech", "city": "London"},
		}}
		reply := spec.NewMessageForTask(spec.MessageRoleAgent, ec,
			spec.NewTextPart("Here are 2 contacts in London: Ann Lee, Bob Ray."), spec.NewDataPart(records))
		yield(spec.NewStatusUpdateEvent(ec, spec.TaskStateCompleted, reply), nil)
	}
}

func (a *plainAgent) Cancel(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[spec.Event, error] {
	return func(yield func(spec.Event, error) bool) {
		yield(spec.NewStatusUpdateEvent(ec, spec.TaskStateCanceled, nil), nil)
	}
}

// TestNegotiatingWithAPlainA2AAgent: a card without the soisnode
// extension is added as a plain A2A peer (no keys), and POST
// /api/negotiations with it runs our agent against it over A2A messages in
// one context: its question answered in the same task, its records
// received, its turns recorded unsigned, ours signed; the turn limit
// closes an exchange and the close reaches the agent too.
func TestNegotiatingWithAPlainA2AAgent(t *testing.T) {
	ctx := context.Background()
	erp := loopbackNode(t, "ERP")
	agent := newPlainAgent(t)
	ce := testbed.Workspace(t, erp.DB(), workspace.Owner, access.KeyParams{Name: "erp"})

	f, err := peers.Fetch(ctx, erp.PeerClient(), agent.srv.URL)
	if err != nil {
		t.Fatalf("fetch a plain A2A card: %v", err)
	}
	wantURL := agent.srv.URL + "/rpc"
	if f.A2AURL != wantURL || f.Card.ID != peers.PlainPrefix+wantURL || len(f.Keys.Keys()) != 0 || f.Fingerprint == "" {
		t.Fatalf("fetched: a2a_url %q id %q keys %d fingerprint %q", f.A2AURL, f.Card.ID, len(f.Keys.Keys()), f.Fingerprint)
	}
	p, err := peers.Add(ctx, erp.DB(), ce.WorkspaceID, f, peers.PolicyChange{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !p.Plain() || p.Name != "plain-contacts-agent" {
		t.Fatalf("peer: plain %v name %q", p.Plain(), p.Name)
	}
	// A plain peer sends no envelopes: no envelope can name it as sender.
	if pins, err := peers.ByNode(ctx, erp.DB(), p.NodeID); err != nil || len(pins) != 0 {
		t.Fatalf("a plain peer among the envelope senders: %v %v", pins, err)
	}

	res := erp.Do("POST", "/api/negotiations", ce, map[string]any{"peer": "Plain Contacts Agent", "goal": "every contact in London"})
	if res.Status != http.StatusAccepted {
		t.Fatalf("open: %d %s", res.Status, res.Body)
	}
	var created negotiationView
	res.JSON(t, &created)
	if created.Peer != p.NodeID {
		t.Fatalf("peer %q, want %q", created.Peer, p.NodeID)
	}
	v := finished(t, erp, ce, created.ID)
	// open; the agent's question; our answer; its records; our close.
	if v.types() != "open,message,message,message,close" || v.Status != "closed" {
		t.Fatalf("exchange: %s %s: %+v", v.Status, v.types(), v.Turns)
	}
	for _, turn := range v.Turns {
		ours := turn.From == erp.NodeID()
		if ours != turn.Signed || ours != (turn.JWS != "") || (!ours && turn.From != p.NodeID) {
			t.Fatalf("turn %d from %s: signed %v jws %d bytes", turn.Seq, turn.From, turn.Signed, len(turn.JWS))
		}
	}
	if !strings.Contains(v.Turns[1].Text, "Which London") || !strings.Contains(v.Turns[3].Text, "Ann Lee, Bob Ray") ||
		!strings.Contains(string(v.Turns[3].Data), `"Bob Ray"`) {
		t.Fatalf("the agent's turns: %q / %q %s", v.Turns[1].Text, v.Turns[3].Text, v.Turns[3].Data)
	}
	// Our close is recorded (the exchange ends here) before it is sent.
	got := agent.waitMessages(t, 3)
	if len(got) != 3 {
		t.Fatalf("the agent got %d messages, want open, answer and close", len(got))
	}
	if got[0].Parts[0].Text() != "every contact in London" || got[0].ContextID == "" || got[0].Metadata["negotiation_id"] != created.ID {
		t.Fatalf("first message: %q context %q metadata %v", got[0].Parts[0].Text(), got[0].ContextID, got[0].Metadata)
	}
	if got[1].ContextID != got[0].ContextID || got[1].TaskID == "" || got[1].Metadata["type"] != "message" {
		t.Fatalf("the answer went to context %q task %q (first: %q)", got[1].ContextID, got[1].TaskID, got[0].ContextID)
	}
	if got[2].ContextID != got[0].ContextID || got[2].TaskID != "" || got[2].Metadata["type"] != "close" {
		t.Fatalf("the close: context %q task %q metadata %v", got[2].ContextID, got[2].TaskID, got[2].Metadata)
	}

	// The turn limit: two turns, then our close (sent, not answered).
	res = erp.Do("POST", "/api/negotiations", ce, map[string]any{"peer": p.Name, "goal": "every contact in Paris", "max_turns": 2})
	if res.Status != http.StatusAccepted {
		t.Fatalf("open: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &created)
	v = finished(t, erp, ce, created.ID)
	if v.Status != "turn_limit" || v.types() != "open,message,close" {
		t.Fatalf("turn limit: %s %s", v.Status, v.types())
	}
	if got := agent.waitMessages(t, 5); len(got) != 5 {
		t.Fatalf("the agent got %d messages, want 5", len(got))
	}
	if last := agent.messages()[4]; last.Metadata["type"] != "close" || last.Metadata["negotiation_id"] != created.ID {
		t.Fatalf("last message: %v", last.Metadata)
	}
}

// TestPlainA2AAgentRefuses: an agent that answers our message with a
// JSON-RPC error ends the exchange as failed, saying so; an answer larger
// than negotiation.MaxA2AAnswer is not read whole and never recorded.
func TestPlainA2AAgentRefuses(t *testing.T) {
	ctx := context.Background()
	erp := loopbackNode(t, "ERP")
	ce := testbed.Workspace(t, erp.DB(), workspace.Owner, access.KeyParams{Name: "erp"})
	for name, answer := range map[string]string{
		"refuses": `{"jsonrpc":"2.0","id":"1","error":{"code":-32602,"message":"this agent takes no such requests"}}`,
		"too big": `{"jsonrpc":"2.0","id":"1","result":{"message":{"messageId":"m","role":"ROLE_AGENT","parts":[{"text":"` + strings.Repeat("x", negotiation.MaxA2AAnswer) + `"}]}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			mux := http.NewServeMux()
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			card := &spec.AgentCard{Name: "Agent " + name, Description: "d", Version: "1",
				SupportedInterfaces: []*spec.AgentInterface{spec.NewAgentInterface(srv.URL+"/rpc", spec.TransportProtocolJSONRPC)},
				DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"}}
			mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewStaticAgentCardHandler(card))
			var calls atomic.Int64
			mux.HandleFunc("/rpc", func(w http.ResponseWriter, _ *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, answer)
			})
			f, err := peers.Fetch(ctx, erp.PeerClient(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			p, err := peers.Add(ctx, erp.DB(), ce.WorkspaceID, f, peers.PolicyChange{}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			res := erp.Do("POST", "/api/negotiations", ce, map[string]any{"peer": p.Name, "goal": "every contact in London"})
			if res.Status != http.StatusAccepted {
				t.Fatalf("open: %d %s", res.Status, res.Body)
			}
			var created negotiationView
			res.JSON(t, &created)
			if name == "refuses" {
				v := finished(t, erp, ce, created.ID)
				if v.Status != "failed" || v.types() != "open" || !strings.Contains(v.Summary, "this agent takes no such requests") {
					t.Fatalf("refused: %s %s %q", v.Status, v.types(), v.Summary)
				}
				return
			}
			// Too big: the send fails and is tried again (a second call
			// means the first ended), and nothing is recorded.
			if !poll.Until(60*time.Second, func() bool { return calls.Load() >= 2 }) {
				t.Fatalf("the agent was called %d times, want a retry", calls.Load())
			}
			var v negotiationView
			erp.Do("GET", "/api/negotiations/"+created.ID, ce, nil).JSON(t, &v)
			if v.Status != "open" || v.types() != "open" {
				t.Fatalf("after an oversized answer: %s %s", v.Status, v.types())
			}
		})
	}
}
