package negotiation

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func newWorkspace(t *testing.T, db *store.DB) string {
	t.Helper()
	ws, err := access.CreateWorkspace(context.Background(), db, "ws", t0)
	if err != nil {
		t.Fatal(err)
	}
	return ws.ID
}

var terms = CreateParams{ID: "neg_1", Peer: "node_b", Goal: " buy 40 seats ", MaxUSD: money.Dollar, MaxTurns: 10}

func appendTurn(t *testing.T, db *store.DB, ws string, env Envelope) (Negotiation, error) {
	t.Helper()
	var n Negotiation
	err := db.InTx(context.Background(), func(tx store.Tx) error {
		var err error
		n, err = AppendTurn(context.Background(), tx, ws, env.NegotiationID, TurnOf(env, "jws-"+string(env.Type), t0))
		return err
	})
	return n, err
}

// spend records a settled model call of cost in the ledger, under scope.
func spend(t *testing.T, db *store.DB, ws, scope string, cost money.Micro) {
	t.Helper()
	_, err := db.Exec(context.Background(), `INSERT INTO ledger (id, workspace_id, key_id, model, cost, created_at, scope) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		NewNonce(), ws, "key_x", "m", int64(cost), t0.UnixMicro(), scope)
	if err != nil {
		t.Fatal(err)
	}
}

func TestCreateParams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ws := newWorkspace(t, db)
		tests := []struct {
			name string
			edit func(p *CreateParams)
		}{
			{"no id", func(p *CreateParams) { p.ID = "" }},
			{"no peer", func(p *CreateParams) { p.Peer = "" }},
			{"blank goal", func(p *CreateParams) { p.Goal = "  " }},
			{"no turns", func(p *CreateParams) { p.MaxTurns = 0 }},
			{"too many turns", func(p *CreateParams) { p.MaxTurns = MaxTurnsLimit + 1 }},
			{"negative cap", func(p *CreateParams) { p.MaxUSD = -1 }},
		}
		for _, tt := range tests {
			p := terms
			tt.edit(&p)
			if _, err := Create(context.Background(), db, ws, p, t0); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: Create = %v, want invalid", tt.name, err)
			}
		}
	})
}

func TestNegotiationLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, other := newWorkspace(t, db), newWorkspace(t, db)

		created, err := Create(ctx, db, ws, terms, t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Create(ctx, db, ws, terms, t0); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second Create = %v, want conflict", err)
		}
		if _, err := Create(ctx, db, other, terms, t0); err != nil {
			t.Fatalf("same id in another workspace (the other side on this node): %v", err)
		}
		got, err := Get(ctx, db, ws, "neg_1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Goal != "buy 40 seats" || got.Status != StatusOpen || len(got.Turns) != 0 || got.State() != StateNew ||
			!got.CreatedAt.Equal(created.CreatedAt) || got.MaxUSD != money.Dollar || got.MaxTurns != 10 || !got.FinishedAt.IsZero() {
			t.Fatalf("Get = %+v", got)
		}
		if _, err := Get(ctx, db, ws, "neg_2"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("Get unknown = %v", err)
		}

		if _, err := appendTurn(t, db, ws, envelope(TypeOpen, 1)); err != nil {
			t.Fatal(err)
		}
		// The cost is what the ledger recorded under the exchange's scope,
		// in this workspace: nothing else counts.
		spend(t, db, ws, CapScope("neg_1"), 100)
		spend(t, db, ws, CapScope("neg_1"), 250)
		spend(t, db, ws, CapScope("neg_2"), 7)
		spend(t, db, other, CapScope("neg_1"), 9)
		spend(t, db, ws, "", 11)
		prop := envelope(TypePropose, 2)
		prop.From = "node_a"
		n, err := appendTurn(t, db, ws, prop)
		if err != nil {
			t.Fatal(err)
		}
		if listed, err := Recent(ctx, db, ws, "", 10); err != nil || len(listed) != 1 || listed[0].Cost != 350 {
			t.Fatalf("Recent = %+v, %v; want cost 350", listed, err)
		}
		if spent, err := SpentOn(ctx, db, ws, "neg_1"); err != nil || spent != 350 {
			t.Fatalf("SpentOn = %d, %v", spent, err)
		}
		if n.Cost != 350 || n.LastSeq() != 2 || n.State() != StateProposed || n.Turns[1].From != "node_a" ||
			string(n.Turns[1].Data) != `{"price":"12.50"}` || n.Turns[1].JWS != "jws-propose" || !n.Turns[1].At.Equal(t0) {
			t.Fatalf("after two turns: %+v", n)
		}
		if _, err := appendTurn(t, db, ws, envelope(TypeAccept, 2)); !errs.Is(err, errs.Conflict) {
			t.Fatalf("repeated seq = %v, want conflict", err)
		}
		if _, err := appendTurn(t, db, ws, envelope(TypeAccept, 4)); !errs.Is(err, errs.Conflict) {
			t.Fatalf("skipped seq = %v, want conflict", err)
		}
		if _, err := appendTurn(t, db, ws, envelope("counter", 3)); !errs.Is(err, errs.Invalid) {
			t.Fatalf("unknown type = %v, want invalid", err)
		}
		if _, err := appendTurn(t, db, other, envelope(TypeOpen, 1)); err != nil {
			t.Fatalf("the other workspace's copy has its own turns: %v", err)
		}
		noData := envelope(TypeAccept, 3)
		noData.Body.Data = nil
		if n, err = appendTurn(t, db, ws, noData); err != nil || n.Turns[2].Data != nil {
			t.Fatalf("turn without data: %v, %s", err, n.Turns[2].Data)
		}

		if _, err := Finish(ctx, db, ws, "neg_1", StatusOpen, "", t0); !errs.Is(err, errs.Invalid) {
			t.Fatalf("Finish open = %v, want invalid", err)
		}
		if _, err := Finish(ctx, db, ws, "neg_1", "won", "", t0); !errs.Is(err, errs.Invalid) {
			t.Fatalf("Finish unknown status = %v, want invalid", err)
		}
		end := t0.Add(time.Minute)
		n, err = Finish(ctx, db, ws, "neg_1", StatusAccepted, "40 seats at 12.50", end)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != StatusAccepted || n.Summary != "40 seats at 12.50" || !n.FinishedAt.Equal(end) || n.State() != StateEnded || len(n.Turns) != 3 {
			t.Fatalf("Finish = %+v", n)
		}
		if _, err := Finish(ctx, db, ws, "neg_1", StatusClosed, "", end); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second Finish = %v, want conflict", err)
		}
		if _, err := appendTurn(t, db, ws, envelope(TypeMessage, 4)); !errs.Is(err, errs.Conflict) {
			t.Fatalf("turn after Finish = %v, want conflict", err)
		}
		if _, err := Finish(ctx, db, ws, "neg_9", StatusClosed, "", end); !errs.Is(err, errs.NotFound) {
			t.Fatalf("Finish unknown = %v, want not found", err)
		}
		if o, err := Get(ctx, db, other, "neg_1"); err != nil || o.Status != StatusOpen || len(o.Turns) != 1 {
			t.Fatalf("other workspace's copy: %+v, %v", o, err)
		}
	})
}

func TestAppendTurnConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ws := newWorkspace(t, db)
		if _, err := Create(context.Background(), db, ws, terms, t0); err != nil {
			t.Fatal(err)
		}
		const tries = 6
		var wg sync.WaitGroup
		results := make(chan error, tries)
		for range tries {
			wg.Go(func() {
				_, err := appendTurn(t, db, ws, envelope(TypeOpen, 1))
				results <- err
			})
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch {
			case err == nil:
				won++
			case !errs.Is(err, errs.Conflict) && !store.IsUniqueViolation(err):
				t.Errorf("AppendTurn: %v", err)
			}
		}
		n, err := Get(context.Background(), db, ws, "neg_1")
		if err != nil {
			t.Fatal(err)
		}
		if won != 1 || len(n.Turns) != 1 {
			t.Fatalf("%d appends won, %d turns; want 1, 1", won, len(n.Turns))
		}
	})
}

func TestNegotiationJSON(t *testing.T) {
	n := Negotiation{ID: "neg_1", Peer: "node_b", Goal: "g", Status: StatusOpen, Turns: []Turn{
		{Seq: 1, From: "node_a", Type: TypeOpen, Text: "hi", JWS: "x.y.z", At: t0.UTC()},
	}, Cost: 1500, MaxUSD: money.Dollar, MaxTurns: 10, CreatedAt: t0.UTC()}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"neg_1","peer":"node_b","goal":"g","status":"open","turns":[{"seq":1,"from":"node_a","type":"open","text":"hi","data":null,"jws":"x.y.z","at":"2027-01-15T08:00:00Z"}],` +
		`"summary":"","cost_usd":"0.0015","max_usd":"1.00","max_turns":10,"created_at":"2027-01-15T08:00:00Z","finished_at":null}`
	if string(b) != want {
		t.Fatalf("JSON\n got %s\nwant %s", b, want)
	}
	n.Status, n.FinishedAt, n.Turns = StatusClosed, t0.UTC(), nil
	b, _ = json.Marshal(n)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["finished_at"] != "2027-01-15T08:00:00Z" || m["turns"] == nil {
		t.Fatalf("finished JSON: %s", b)
	}
}
