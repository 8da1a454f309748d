package negotiate

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/soisnode/soisnode/negotiation"
)

func TestParseGame(t *testing.T) {
	g, ok := ParseGame("Divide the items (books 1, hats 2, balls 3); my values per item: books 4, hats 0, balls 2.")
	if !ok || len(g.Items) != 3 || g.Count["balls"] != 3 || g.Value["books"] != 4 || g.Points(g.Count) != 10 {
		t.Fatalf("ParseGame = %+v %v", g, ok)
	}
	if back, ok := ParseGame(g.Goal()); !ok || back.Goal() != g.Goal() {
		t.Fatalf("round trip: %q", g.Goal())
	}
	for _, bad := range []string{
		"Ask the CRM for every contact at Acme",
		"Divide the items (books 1, hats 2); my values per item: books 4.",           // a value missing
		"Divide the items (books 1, books 2); my values per item: books 4, books 1.", // twice
		"Divide the items (books 0); my values per item: books 4.",                   // none of it
		"Divide the items (books x); my values per item: books 4.",
	} {
		if _, ok := ParseGame(bad); ok {
			t.Errorf("ParseGame(%q) accepted", bad)
		}
	}
}

// TestOwnGame: a responder never reads the peer's opening text as its own
// values.
func TestOwnGame(t *testing.T) {
	goal := "Divide the items (books 2); my values per item: books 5."
	peerText := negotiation.Negotiation{Role: negotiation.RoleResponder, Goal: goal, Turns: []negotiation.Turn{{Seq: 1, Text: goal}}}
	if _, ok := ownGame(peerText); ok {
		t.Fatal("the peer's text was taken for this side's game")
	}
	own := negotiation.Negotiation{Role: negotiation.RoleResponder, Goal: goal, Turns: []negotiation.Turn{{Seq: 1, Text: "Let us divide the items."}}}
	if _, ok := ownGame(own); !ok {
		t.Fatal("the side's own goal was not read")
	}
}

// TestDivideMoves: the strategy opens without an offer, asks for all it
// values first, rejects a poor first offer with a valid counter, accepts
// an offer worth its aspiration, and on the last turn takes anything
// worth something.
func TestDivideMoves(t *testing.T) {
	g, _ := ParseGame("Divide the items (books 1, hats 2, balls 3); my values per item: books 4, hats 0, balls 2.")
	split := func(mine, yours map[string]int) json.RawMessage {
		return negotiation.Encode(Split{Kind: KindSplit, Mine: mine, Yours: yours})
	}
	poor := split(map[string]int{"books": 1, "hats": 2, "balls": 2}, map[string]int{"balls": 1})  // worth 2 to us
	good := split(map[string]int{"hats": 2}, map[string]int{"books": 1, "balls": 3})              // worth 10 to us
	eight := split(map[string]int{"hats": 2, "balls": 1}, map[string]int{"books": 1, "balls": 2}) // worth 8 to us
	ours := split(map[string]int{"books": 1, "balls": 3}, map[string]int{"hats": 2})
	situation := func(seq int64, maxTurns int, turns ...negotiation.Turn) negotiation.Situation {
		return negotiation.Situation{Self: "us", Seq: seq, Negotiation: negotiation.Negotiation{Role: negotiation.RoleOpener, Goal: g.Goal(), MaxTurns: maxTurns, Turns: turns}}
	}
	open := negotiation.Turn{Seq: 1, From: "us", Type: negotiation.TypeOpen}
	for _, tc := range []struct {
		name string
		s    negotiation.Situation
		want negotiation.Type
		pts  int // our points in our proposal, when one is made
	}{
		{"open", situation(1, 10), negotiation.TypeOpen, 0},
		{"poor offer", situation(3, 10, open, negotiation.Turn{Seq: 2, From: "peer", Type: negotiation.TypePropose, Data: poor}), negotiation.TypePropose, 10},
		{"good offer", situation(3, 10, open, negotiation.Turn{Seq: 2, From: "peer", Type: negotiation.TypePropose, Data: good}), negotiation.TypeAccept, 0},
		{"8 at first", situation(3, 10, open, negotiation.Turn{Seq: 2, From: "peer", Type: negotiation.TypePropose, Data: eight}), negotiation.TypePropose, 10},
		{"8 after two proposals", situation(7, 10, open,
			negotiation.Turn{Seq: 2, From: "peer", Type: negotiation.TypePropose, Data: poor}, negotiation.Turn{Seq: 3, From: "us", Type: negotiation.TypePropose, Data: ours},
			negotiation.Turn{Seq: 4, From: "peer", Type: negotiation.TypePropose, Data: poor}, negotiation.Turn{Seq: 5, From: "us", Type: negotiation.TypePropose, Data: ours},
			negotiation.Turn{Seq: 6, From: "peer", Type: negotiation.TypePropose, Data: eight}), negotiation.TypeAccept, 0},
		{"poor offer, last turn", situation(3, 3, open, negotiation.Turn{Seq: 2, From: "peer", Type: negotiation.TypePropose, Data: poor}), negotiation.TypeAccept, 0},
		{"no offer", situation(3, 10, open, negotiation.Turn{Seq: 2, From: "peer", Type: negotiation.TypeMessage}), negotiation.TypePropose, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Negotiator{}.Move(context.Background(), tc.s)
			if err != nil || m.Type != tc.want {
				t.Fatalf("Move = %s %q (%v), want %s", m.Type, m.Text, err, tc.want)
			}
			if m.Type == negotiation.TypePropose {
				var sp Split
				if json.Unmarshal(m.Data, &sp) != nil || !g.Valid(sp) || g.Points(sp.Mine) != tc.pts {
					t.Fatalf("proposal %s: want a valid split worth %d to us", m.Data, tc.pts)
				}
			}
		})
	}
}
