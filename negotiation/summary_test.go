package negotiation

import (
	"strings"
	"testing"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/workspace"
)

func TestSummarize(t *testing.T) {
	recs := Encode(DataRecords{Kind: KindContacts, Items: []map[string]any{{"name": "Ann Lee"}, {"name": "Bob Stone"}}})
	n := Negotiation{Peer: "node_b", Goal: "every contact at Acme in London", Role: RoleOpener, MaxTurns: 10, MaxUSD: money.Dollar, Cost: 1500,
		Turns: []Turn{
			{Seq: 1, From: "node_a", Type: TypeOpen, Text: "every contact at Acme in London"},
			{Seq: 2, From: "node_b", Type: TypePropose, Text: "Here they are.", Data: recs},
			{Seq: 3, From: "node_a", Type: TypeAccept, Text: "Imported."},
		},
		Actions: []workspace.Receipt{{Tool: "contacts_create", OK: true, Ref: "contact/1", Summary: "Created contact Ann Lee"}},
	}
	got := Summarize(n, StatusAccepted, "node_a", "")
	for _, want := range []string{
		"Outcome: accepted after 3 turns (opened by us, with node node_b).",
		"Asked: every contact at Acme in London",
		"Received: 2 contacts (Ann Lee, Bob Stone)",
		"Done here: Created contact Ann Lee",
		"Last word from us: Imported.",
		"Turns: 3 of 10. Cost: 0.0015 USD of 1.00.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	// The other side gave what this side received.
	if theirs := Summarize(n, StatusAccepted, "node_b", ""); !strings.Contains(theirs, "Given: 2 contacts (Ann Lee, Bob Stone)") {
		t.Errorf("responder's summary:\n%s", theirs)
	}
}
