package negotiation

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestAuditTurn: each turn of a transcript verifies against its sender's
// keys; any difference between the stored turn and what was signed, or a
// signature by other keys, fails with the reason.
func TestAuditTurn(t *testing.T) {
	ctx := context.Background()
	us, peer := keyring(t), keyring(t)
	ours, _ := us.PublicKeys(ctx)
	theirs, _ := peer.PublicKeys(ctx)
	n := Negotiation{ID: "neg_1", Peer: "node_b"}
	open := envelope(TypeOpen, 1) // node_b → node_a
	reply := envelope(TypeMessage, 2)
	reply.From, reply.To, reply.Body = "node_a", "node_b", Body{Text: "which company?"}
	signed := func(s Signer, env Envelope) Turn {
		tok, err := Sign(ctx, s, env)
		if err != nil {
			t.Fatal(err)
		}
		return TurnOf(env, tok, t0)
	}
	later := t0.Add(30 * 24 * time.Hour) // long after both expired
	if err := AuditTurn(ctx, theirs, n, signed(peer, open), "node_a", later); err != nil {
		t.Fatalf("their open: %v", err)
	}
	if err := AuditTurn(ctx, ours, n, signed(us, reply), "node_a", later); err != nil {
		t.Fatalf("our reply: %v", err)
	}

	edited := func(edit func(*Turn)) Turn {
		tt := signed(peer, open)
		edit(&tt)
		return tt
	}
	otherNeg := open
	openJSON := string(mustJSON(t, open)) // {"v":1,...}
	otherNeg.NegotiationID = "neg_2"
	tests := []struct {
		name string
		keys verify.Source
		turn Turn
		want error
	}{
		{"ours against their keys", theirs, signed(us, reply), verify.ErrUnknownKey},
		{"theirs against our keys", ours, signed(peer, open), verify.ErrUnknownKey},
		{"not a JWS", theirs, edited(func(t *Turn) { t.JWS = "jws-open" }), verify.ErrMalformed},
		{"text changed", theirs, edited(func(t *Turn) { t.Text = "hello!" }), ErrTranscript},
		{"data changed", theirs, edited(func(t *Turn) { t.Data = json.RawMessage(`{"price":"1.00"}`) }), ErrTranscript},
		{"data dropped", theirs, edited(func(t *Turn) { t.Data = nil }), ErrTranscript},
		{"seq changed", theirs, edited(func(t *Turn) { t.Seq = 2 }), ErrTranscript},
		{"type changed", theirs, edited(func(t *Turn) { t.Type = TypeAccept }), ErrTranscript},
		{"sender changed", theirs, edited(func(t *Turn) { t.From = "node_a" }), ErrTranscript},
		{"another negotiation", theirs, signed(peer, otherNeg), ErrTranscript},
		{"wrong typ", theirs, edited(func(t *Turn) {
			t.JWS, _ = peer.SignCompact(ctx, []byte(openJSON), map[string]any{"typ": verify.TypeReply})
		}), verify.ErrType},
		{"duplicate key", theirs, edited(func(t *Turn) {
			t.JWS, _ = peer.SignCompact(ctx, []byte(`{"seq":1,`+openJSON[1:]), map[string]any{"typ": JWSType})
		}), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := AuditTurn(ctx, tt.keys, n, tt.turn, "node_a", later); !errors.Is(err, tt.want) {
				t.Fatalf("AuditTurn = %v, want %v", err, tt.want)
			}
		})
	}
	// Whitespace inside data is not a difference.
	spaced := signed(peer, open)
	spaced.Data = json.RawMessage(`{ "price" : "12.50" }`)
	if err := AuditTurn(ctx, theirs, n, spaced, "node_a", later); err != nil {
		t.Fatalf("reformatted data: %v", err)
	}
}

func TestRecent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, other := newWorkspace(t, db), newWorkspace(t, db)
		for i, id := range []string{"neg_a", "neg_b", "neg_c"} {
			p := CreateParams{ID: id, Peer: "node_b", Goal: "goal " + id, MaxUSD: money.Dollar, MaxTurns: 10}
			if _, err := Create(ctx, db, ws, p, t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Create(ctx, db, other, CreateParams{ID: "neg_x", Peer: "node_b", Goal: "x", MaxTurns: 1}, t0); err != nil {
			t.Fatal(err)
		}
		env := envelope(TypeOpen, 1)
		env.NegotiationID = "neg_a"
		if _, err := appendTurn(t, db, ws, env); err != nil {
			t.Fatal(err)
		}
		spend(t, db, ws, CapScope("neg_a"), 1500)
		if _, err := Finish(ctx, db, ws, "neg_b", StatusClosed, "closed it", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}

		all, err := Recent(ctx, db, ws, "", 10)
		if err != nil || len(all) != 3 || all[0].ID != "neg_c" || all[1].ID != "neg_b" || all[2].ID != "neg_a" {
			t.Fatalf("Recent = %+v, %v", all, err)
		}
		a := all[2]
		if a.TurnCount != 1 || a.Cost != 1500 || a.Goal != "goal neg_a" || a.Status != StatusOpen || !a.FinishedAt.IsZero() || len(a.Turns) != 0 {
			t.Fatalf("neg_a listed as %+v", a)
		}
		if b := all[1]; b.Status != StatusClosed || b.Summary != "closed it" || !b.FinishedAt.Equal(t0.Add(time.Hour)) || b.TurnCount != 0 {
			t.Fatalf("neg_b listed as %+v", b)
		}
		if open, err := Recent(ctx, db, ws, StatusOpen, 10); err != nil || len(open) != 2 || open[0].ID != "neg_c" {
			t.Fatalf("open = %+v, %v", open, err)
		}
		if closed, err := Recent(ctx, db, ws, StatusClosed, 10); err != nil || len(closed) != 1 || closed[0].ID != "neg_b" {
			t.Fatalf("closed = %+v, %v", closed, err)
		}
		if one, err := Recent(ctx, db, ws, "", 1); err != nil || len(one) != 1 || one[0].ID != "neg_c" {
			t.Fatalf("limit 1 = %+v, %v", one, err)
		}
		if _, err := Recent(ctx, db, ws, "done", 10); !errs.Is(err, errs.Invalid) {
			t.Fatalf("unknown status: %v", err)
		}
		for _, limit := range []int{0, MaxRecent + 1} {
			if _, err := Recent(ctx, db, ws, "", limit); !errs.Is(err, errs.Invalid) {
				t.Fatalf("limit %d: %v", limit, err)
			}
		}
	})
}
