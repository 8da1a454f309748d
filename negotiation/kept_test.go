package negotiation

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

// testPeers is PeerStore with one peer.
type testPeers struct{ p peers.Peer }

func (t testPeers) ByNode(context.Context, string) ([]peers.Peer, error) {
	return []peers.Peer{t.p}, nil
}
func (t testPeers) Get(context.Context, string, string) (peers.Peer, error) {
	return t.p, nil
}

// testTransport records what it sends.
type testTransport struct{ sent atomic.Int32 }

func (t *testTransport) Send(context.Context, string, string) error { t.sent.Add(1); return nil }

// testJobs records the jobs scheduled.
type testJobs struct{ summaries atomic.Int32 }

func (*testJobs) Step(context.Context, store.Tx, string, string, int64) error { return nil }
func (*testJobs) Expire(context.Context, store.Tx, string, string, time.Time) error {
	return nil
}
func (j *testJobs) Summarize(context.Context, store.Tx, string, string) error {
	j.summaries.Add(1)
	return nil
}

// flakySigner fails its first fails signatures, like a crash after the
// model answered and before the turn was signed and recorded.
type flakySigner struct {
	Signer
	fails atomic.Int32
}

func (f *flakySigner) SignCompact(ctx context.Context, payload []byte, h map[string]any) (string, error) {
	if f.fails.Add(-1) >= 0 {
		return "", errors.New("the process died here")
	}
	return f.Signer.SignCompact(ctx, payload, h)
}

// modelAgent stands for a model: each move is a paid call, settled (a
// ledger row under the exchange's scope) in the transaction that keeps
// the move. As a Summarizer it answers summary, or fails with err.
type modelAgent struct {
	db      *store.DB
	moves   atomic.Int32
	summary string
	err     error
}

func (a *modelAgent) Move(ctx context.Context, s Situation) (Move, error) {
	a.moves.Add(1)
	m := Move{Type: TypeMessage, Text: "Which city?", Cost: 40}
	err := a.db.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO ledger (id, workspace_id, key_id, model, cost, created_at, scope) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			NewNonce(), s.Negotiation.WorkspaceID, "k", "m", 40, t0.UnixMicro(), CapScope(s.Negotiation.ID)); err != nil {
			return err
		}
		return s.Keep(ctx, tx, m)
	})
	return m, err
}

func (a *modelAgent) Summarize(context.Context, Negotiation, string, string) (string, error) {
	return a.summary, a.err
}

// responderService is a Service whose workspace answers an exchange node_b
// opened (one turn recorded), with agent a.
func responderService(t *testing.T, db *store.DB, a Agent) (*Service, *testTransport, *testJobs, Negotiation) {
	t.Helper()
	ctx := context.Background()
	ws := newWorkspace(t, db)
	if _, err := access.AddMember(ctx, db, ws, "Owner", "owner@example.com", workspace.Owner, t0); err != nil {
		t.Fatal(err)
	}
	peer := keyring(t)
	tr, jobs := &testTransport{}, &testJobs{}
	s := &Service{DB: db, Self: "node_a", Signer: keyring(t), Peers: testPeers{peers.Peer{WorkspaceID: ws, NodeID: "node_b", BaseURL: "http://peer.example"}},
		Transport: tr, Jobs: jobs, Agent: a, Registry: workspace.NewRegistry(db, func() time.Time { return t0 }), Now: func() time.Time { return t0 }}
	open := Envelope{V: Version, NegotiationID: "neg_1", Seq: 1, From: "node_b", To: "node_a", IssuedAt: t0.Unix(), ExpiresAt: t0.Add(time.Minute).Unix(),
		Nonce: "n1", Type: TypeOpen, Body: Body{Text: "every contact in London"}, Budget: Budget{Cap: 1000}}
	token, err := Sign(ctx, peer, open)
	if err != nil {
		t.Fatal(err)
	}
	var n Negotiation
	err = db.InTx(ctx, func(tx store.Tx) error {
		if _, err := Create(ctx, tx, ws, CreateParams{ID: "neg_1", Peer: "node_b", Goal: "every contact in London", MaxUSD: 1000, MaxTurns: 10, Role: RoleResponder}, t0); err != nil {
			return err
		}
		n, err = AppendTurn(ctx, tx, ws, "neg_1", TurnOf(open, token, t0))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, tr, jobs, n
}

// A crash after the model answered and before the turn was recorded does
// not ask the model again: the next run signs, records and sends the
// move that was kept with the call's settlement, once.
func TestStepResumesFromTheKeptMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := &modelAgent{db: db}
		s, tr, _, n := responderService(t, db, a)
		flaky := &flakySigner{Signer: s.Signer}
		flaky.fails.Store(1)
		s.Signer = flaky
		if err := s.Step(ctx, n.WorkspaceID, n.ID, 2); err == nil {
			t.Fatal("the first run should have died before recording the turn")
		}
		if err := s.Step(ctx, n.WorkspaceID, n.ID, 2); err != nil {
			t.Fatal(err)
		}
		if err := s.Step(ctx, n.WorkspaceID, n.ID, 2); err != nil { // a repeated job: sent again, not taken again
			t.Fatal(err)
		}
		got, err := Get(ctx, db, n.WorkspaceID, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.moves.Load() != 1 || len(got.Turns) != 2 || got.Turns[1].Text != "Which city?" || tr.sent.Load() != 2 || got.Cost != 40 {
			t.Fatalf("model asked %d times; %d turns; sent %d; cost %s", a.moves.Load(), len(got.Turns), tr.sent.Load(), got.Cost.Short())
		}
		env, err := decodeUnverified(got.Turns[1].JWS)
		if err != nil || env.Budget.Spent != 40 {
			t.Fatalf("the envelope's spend %v, %v; want the ledger's 40 micro", env.Budget.Spent, err)
		}
		if left := countRows(t, db, `SELECT count(*) FROM negotiation_pending`); left != 0 {
			t.Fatalf("%d kept moves left after the turn was recorded", left)
		}
	})
}

// With a model, the model's summary replaces the node's and only then is
// negotiation.finished queued; when the cap leaves no room (or the model
// fails), the node's summary stays, saying why.
func TestModelSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, c := range []struct {
			name string
			a    *modelAgent
			want []string
		}{
			{"written", &modelAgent{summary: "  The peer asked for London contacts; we closed.  "}, []string{"The peer asked for London contacts; we closed."}},
			{"no room", &modelAgent{err: ErrBudgetCap}, []string{"Outcome: expired", "Asked: every contact in London", "cap left no room for the model to write this summary"}},
			{"failed", &modelAgent{err: errs.E(errs.Unavailable, "provider down")}, []string{"Outcome: expired", "the model could not write this summary: provider down"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.a.db = db
				s, _, jobs, n := responderService(t, db, c.a)
				var finished []string
				s.OnFinish = func(_ context.Context, _ store.Tx, n Negotiation) error {
					finished = append(finished, n.Summary)
					return nil
				}
				if err := s.Expire(ctx, n.WorkspaceID, n.ID); err != nil {
					t.Fatal(err)
				}
				if jobs.summaries.Load() != 1 || len(finished) != 0 {
					t.Fatalf("%d summary jobs, %d webhooks before the summary", jobs.summaries.Load(), len(finished))
				}
				for range 2 { // a repeated job does nothing more
					if err := s.Summarize(ctx, n.WorkspaceID, n.ID); err != nil {
						t.Fatal(err)
					}
				}
				got, err := Get(ctx, db, n.WorkspaceID, n.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(finished) != 1 || finished[0] != got.Summary {
					t.Fatalf("webhooks %q for summary %q", finished, got.Summary)
				}
				for _, w := range c.want {
					if !strings.Contains(got.Summary, w) {
						t.Fatalf("summary %q lacks %q", got.Summary, w)
					}
				}
			})
		}
	})
}

func countRows(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
