package negotiation

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

// inProcess delivers envelopes straight to the other side's Receive, as
// HTTP would: a refusal (4xx) is a *Refused.
type inProcess struct{ to *Service }

func (t inProcess) Send(ctx context.Context, _, token string) error {
	if err := t.to.Receive(ctx, token); err != nil {
		return &Refused{Status: 409, Detail: errs.Message(err)}
	}
	return nil
}

// heldJobs keeps the scheduled steps for the test to run when it wants.
type heldJobs struct {
	mu    sync.Mutex
	steps []int64
}

func (j *heldJobs) Step(_ context.Context, _ store.Tx, _, _ string, seq int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.steps = append(j.steps, seq)
	return nil
}
func (*heldJobs) Expire(context.Context, store.Tx, string, string, time.Time) error { return nil }
func (*heldJobs) Summarize(context.Context, store.Tx, string, string) error         { return nil }

// talker always has something to say.
type talker struct{}

func (talker) Move(_ context.Context, s Situation) (Move, error) {
	if s.Seq == 1 {
		return Move{Type: TypeOpen, Text: "every contact in London"}, nil
	}
	return Move{Type: TypeMessage, Text: "Which city?"}, nil
}

// Canceling while the peer takes its turn: the two envelopes take the
// same seq and cross. Both sides end canceled — the peer does not end
// failed because we did not record its turn.
func TestCancelCrossesThePeersTurn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Now() }
		side := func(self string) (*Service, *heldJobs, string, *signing.Keyring) {
			ws := newWorkspace(t, db)
			ring := signing.NewMemory(signing.Options{})
			if err := ring.Ensure(ctx); err != nil {
				t.Fatal(err)
			}
			jobs := &heldJobs{}
			return &Service{DB: db, Self: self, Signer: ring, Jobs: jobs, Agent: talker{}, Registry: workspace.NewRegistry(db, now), Now: now}, jobs, ws, ring
		}
		a, aJobs, wsA, ringA := side("node_a")
		b, bJobs, wsB, ringB := side("node_b")
		jwks := func(r *signing.Keyring) []byte {
			j, err := r.JWKS(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return j
		}
		a.Peers = testPeers{peers.Peer{ID: "p_b", WorkspaceID: wsA, NodeID: "node_b", BaseURL: "http://b", JWKS: jwks(ringB)}}
		b.Peers = testPeers{peers.Peer{ID: "p_a", WorkspaceID: wsB, NodeID: "node_a", BaseURL: "http://a", JWKS: jwks(ringA), Policy: peers.Policy{MaxUSD: 1000, MaxTurns: 10}}}
		a.Transport, b.Transport = inProcess{to: b}, inProcess{to: a}
		if _, err := access.AddMember(ctx, db, wsB, "Owner", "o@b.example", workspace.Owner, time.Now()); err != nil {
			t.Fatal(err)
		}
		m, err := access.AddMember(ctx, db, wsA, "Owner", "o@a.example", workspace.Owner, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var key access.Key
		err = db.InTx(ctx, func(tx store.Tx) error {
			key, _, err = access.CreateKey(ctx, tx, wsA, access.KeyParams{Name: "k", BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		n, err := a.Open(ctx, OpenParams{WorkspaceID: wsA, KeyID: key.ID, MemberID: m.ID, Peer: "node_b", Goal: "every contact in London", MaxUSD: 1000, MaxTurns: 10})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Step(ctx, wsA, n.ID, 1); err != nil { // open, received by B: B's turn 2 is scheduled
			t.Fatal(err)
		}
		if len(bJobs.steps) != 1 || bJobs.steps[0] != 2 {
			t.Fatalf("B's scheduled steps %v", bJobs.steps)
		}
		canceled, err := a.Cancel(ctx, wsA, n.ID) // A's close takes seq 2 too
		if err != nil || canceled.Status != StatusCanceled {
			t.Fatalf("cancel: %+v, %v", canceled.Status, err)
		}
		if err := b.Step(ctx, wsB, n.ID, 2); err != nil { // B's turn 2 reaches A after the cancel
			t.Fatal(err)
		}
		if err := a.Step(ctx, wsA, n.ID, 2); err != nil { // A's close reaches B after B's turn
			t.Fatal(err)
		}
		onA, err := Get(ctx, db, wsA, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		onB, err := Get(ctx, db, wsB, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if onA.Status != StatusCanceled || onB.Status != StatusCanceled || len(onA.Turns) != 2 || len(onB.Turns) != 2 || onB.Turns[1].From != "node_b" {
			t.Fatalf("A %s (%d turns), B %s (%d turns): %s", onA.Status, len(onA.Turns), onB.Status, len(onB.Turns), onB.Summary)
		}
		if len(aJobs.steps) != 2 {
			t.Fatalf("A's scheduled steps %v", aJobs.steps)
		}
	})
}
