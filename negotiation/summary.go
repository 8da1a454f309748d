package negotiation

import (
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"strings"
)

// Summarize is this side's summary of an exchange: the outcome, what was
// asked, what was given and received (counts and names), what was done
// locally, turns and cost. note, when set, says why it ended (a limit,
// a failure). It is built from the transcript and the local receipts,
// never from a model's claims.
func Summarize(n Negotiation, status Status, self, note string) string {
	var b strings.Builder
	side := "opened by us"
	if n.Role == RoleResponder {
		side = "opened by the peer"
	}
	fmt.Fprintf(&b, "Outcome: %s after %d turns (%s, with node %s).", status, len(n.Turns), side, n.Peer)
	if note != "" {
		fmt.Fprintf(&b, " %s", strings.TrimSuffix(note, ".")+".")
	}
	fmt.Fprintf(&b, "\nAsked: %s", clip.Bytes(oneLine(n.Goal), 300))
	given, received := map[string][]string{}, map[string][]string{}
	for _, t := range n.Turns {
		r, ok := Records(t.Data)
		if !ok {
			continue
		}
		into := received
		if t.From == self {
			into = given
		}
		for _, it := range r.Items {
			into[r.Kind] = append(into[r.Kind], ItemName(it))
		}
	}
	if line := recordsLine(given); line != "" {
		fmt.Fprintf(&b, "\nGiven: %s", line)
	}
	if line := recordsLine(received); line != "" {
		fmt.Fprintf(&b, "\nReceived: %s", line)
	}
	var done []string
	for _, a := range n.Actions {
		s := a.Summary
		if !a.OK {
			s = "failed: " + s
		}
		done = append(done, s)
	}
	switch {
	case len(done) > 0:
		fmt.Fprintf(&b, "\nDone here: %s", clip.Bytes(strings.Join(done, "; "), 2000))
	case n.Role == RoleOpener:
		b.WriteString("\nDone here: nothing changed in this workspace.")
	}
	if last, ours := lastText(n, self); last != "" {
		who := "the peer"
		if ours {
			who = "us"
		}
		fmt.Fprintf(&b, "\nLast word from %s: %s", who, clip.Bytes(oneLine(last), 500))
	}
	fmt.Fprintf(&b, "\nTurns: %d of %d. Cost: %s USD of %s.", len(n.Turns), n.MaxTurns, n.Cost.Short(), n.MaxUSD.Short())
	return clip.Bytes(b.String(), MaxSummary)
}

func recordsLine(m map[string][]string) string {
	var parts []string
	for _, kind := range []string{KindContacts, KindTasks, KindMembers} {
		names := m[kind]
		if len(names) == 0 {
			continue
		}
		shown := names
		if len(shown) > 20 {
			shown = append(shown[:20:20], fmt.Sprintf("and %d more", len(names)-20))
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s)", len(names), kind, strings.Join(shown, ", ")))
	}
	return strings.Join(parts, "; ")
}

// lastText is the text of the last turn when it ended the exchange (a
// reason for a reject or close, what an accept took), and whether it is
// ours.
func lastText(n Negotiation, self string) (string, bool) {
	if len(n.Turns) == 0 {
		return "", false
	}
	t := n.Turns[len(n.Turns)-1]
	if _, final := finalStatus(t.Type); !final {
		return "", false
	}
	return t.Text, t.From == self
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
