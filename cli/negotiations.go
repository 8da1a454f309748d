package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
)

// EnvelopeCheck is one line of `negotiations verify --json`.
type EnvelopeCheck = negotiation.EnvelopeCheck

// NegotiationRow is one entry of `negotiations list --json`.
type NegotiationRow struct {
	ID         string     `json:"id"`
	Peer       string     `json:"peer"`      // the other node's id
	PeerName   string     `json:"peer_name"` // its local name, "" when no longer pinned
	Goal       string     `json:"goal"`
	Status     string     `json:"status"`
	Turns      int        `json:"turns"`
	CostUSD    string     `json:"cost_usd"`
	MaxUSD     string     `json:"max_usd"`
	MaxTurns   int        `json:"max_turns"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

func runNegotiations(ctx context.Context, e *Env, args []string) error {
	const use = "negotiations list [--status S] [--limit N] | negotiations show ID | negotiations verify ID"
	if len(args) == 0 {
		return usagef(use)
	}
	sub, args := args[0], args[1:]
	want := map[string]int{"list": 0, "show": 1, "verify": 1}
	n, ok := want[sub]
	if !ok {
		return usagef("unknown negotiations command %q (list, show, verify)", sub)
	}
	c := e.workspaceCommand("negotiations " + sub)
	fs, asJSON := c.FlagSet, c.json
	var status *string
	var limit *int
	if sub == "list" {
		status = fs.String("status", "", "only this status: open, accepted, rejected, closed, turn_limit, budget_cap, expired, failed or canceled")
		limit = fs.Int("limit", 50, fmt.Sprintf("most negotiations to list, newest first (1 to %d)", negotiation.MaxRecent))
	}
	db, ws, pos, err := c.parseOpen(ctx, args, n, use)
	if err != nil {
		return err
	}
	defer db.Close()
	names, err := peerNames(ctx, db, ws)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return listNegotiations(ctx, e, db, ws, negotiation.Status(*status), *limit, names, *asJSON)
	case "show":
		neg, err := negotiation.Get(ctx, db, ws, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, neg)
		}
		self, err := selfID(ctx, e, db)
		if err != nil {
			return err
		}
		showNegotiation(e.Stdout, neg, self, names)
		return nil
	}
	return verifyNegotiation(ctx, e, db, ws, pos[0], names, *asJSON)
}

// peerNames maps the node ids of the workspace's peers to their local names.
func peerNames(ctx context.Context, db *store.DB, ws string) (map[string]string, error) {
	list, err := peers.List(ctx, db, ws)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range list {
		names[p.NodeID] = p.Name
	}
	return names, nil
}

func selfID(ctx context.Context, e *Env, db *store.DB) (string, error) {
	cfg, err := config(e)
	if err != nil {
		return "", err
	}
	return node.StoredNodeID(ctx, db, cfg.NodeID)
}

func listNegotiations(ctx context.Context, e *Env, db *store.DB, ws string, status negotiation.Status, limit int, names map[string]string, asJSON bool) error {
	list, err := negotiation.Recent(ctx, db, ws, status, limit)
	if err != nil {
		return err
	}
	rows := make([]NegotiationRow, 0, len(list))
	for _, l := range list {
		r := NegotiationRow{ID: l.ID, Peer: l.Peer, PeerName: names[l.Peer], Goal: l.Goal, Status: string(l.Status), Turns: l.TurnCount,
			CostUSD: l.Cost.Short(), MaxUSD: l.MaxUSD.Short(), MaxTurns: l.MaxTurns, CreatedAt: l.CreatedAt}
		if !l.FinishedAt.IsZero() {
			f := l.FinishedAt
			r.FinishedAt = &f
		}
		rows = append(rows, r)
	}
	return printList(e.Stdout, asJSON, rows, "No negotiations.", "ID\tPEER\tSTATUS\tTURNS\tCOST USD\tCREATED\tGOAL",
		func(r NegotiationRow) []any {
			return []any{r.ID, peerLabel(r.Peer, names), r.Status, fmt.Sprintf("%d/%d", r.Turns, r.MaxTurns),
				r.CostUSD + "/" + r.MaxUSD, r.CreatedAt.UTC().Format(time.RFC3339), oneLine(r.Goal, 60)}
		})
}

// peerLabel is a peer's local name with its node id, or the node id alone
// when the workspace no longer pins it.
func peerLabel(nodeID string, names map[string]string) string {
	if name := names[nodeID]; name != "" {
		return name + " (" + nodeID + ")"
	}
	return nodeID
}

// sender names who sent a turn: us, or the peer.
func sender(from, self string, names map[string]string) string {
	if from == self {
		return "us (" + from + ")"
	}
	return peerLabel(from, names)
}

func showNegotiation(w io.Writer, n negotiation.Negotiation, self string, names map[string]string) {
	fmt.Fprintf(w, "Negotiation: %s\nPeer:        %s\nGoal:        %s\nStatus:      %s\nCost:        %s of %s USD\nTurns:       %d of %d\nCreated:     %s\n",
		n.ID, peerLabel(n.Peer, names), printable(n.Goal, false), n.Status, n.Cost.Short(), n.MaxUSD.Short(), len(n.Turns), n.MaxTurns, n.CreatedAt.UTC().Format(time.RFC3339))
	if !n.FinishedAt.IsZero() {
		fmt.Fprintf(w, "Finished:    %s\n", n.FinishedAt.UTC().Format(time.RFC3339))
	}
	for _, t := range n.Turns {
		fmt.Fprintf(w, "\n#%d %s from %s at %s\n", t.Seq, t.Type, sender(t.From, self, names), t.At.UTC().Format(time.RFC3339))
		if t.Text != "" {
			fmt.Fprintln(w, indent(t.Text))
		}
		if t.Data != nil {
			fmt.Fprintln(w, indent("data: "+string(t.Data)))
		}
	}
	summary := n.Summary
	if summary == "" {
		summary = "(none yet)"
	}
	fmt.Fprintf(w, "\nSummary:\n%s\n", indent(summary))
}

// verifyNegotiation re-checks every stored envelope of a negotiation
// (negotiation.AuditTurn): the peer's against the keys the workspace pins
// for it, ours against this node's published keys; a plain A2A peer's
// answers are listed as unsigned. One line per envelope; an error when
// any fails.
func verifyNegotiation(ctx context.Context, e *Env, db *store.DB, ws, id string, names map[string]string, asJSON bool) error {
	n, err := negotiation.Get(ctx, db, ws, id)
	if err != nil {
		return err
	}
	self, err := selfID(ctx, e, db)
	if err != nil {
		return err
	}
	// The keyring reads published keys by decrypting them, so it needs the
	// node's key-encryption key (as serve does); nothing is signed here.
	ring, _, err := nodeKeyring(ctx, e, db)
	if err != nil {
		return err
	}
	// Every key this node has had: our old envelopes stay verifiable after
	// their key leaves the JWKS (signed before it retired, never revoked).
	ours, err := ring.AuditKeys(ctx)
	if err != nil {
		return fmt.Errorf("this node's signing keys: %w", err)
	}
	checks, failed, err := negotiation.VerifyTranscript(ctx, db, n, self, ours, e.Now())
	if err != nil {
		return err
	}
	if asJSON {
		if err := printJSON(e.Stdout, checks); err != nil {
			return err
		}
	} else {
		tw := newTable(e.Stdout)
		for _, c := range checks {
			result := "OK"
			if !c.OK {
				result = "FAILED: " + c.Reason
			} else if c.Unsigned {
				result = "UNSIGNED (a plain A2A peer's answer: nothing to verify)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", c.Seq, sender(c.From, self, names), c.Type, result)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(checks) == 0 {
			fmt.Fprintln(e.Stdout, "No envelopes to verify.")
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d envelopes of negotiation %s failed verification", failed, len(checks), n.ID)
	}
	return nil
}

// indent indents every line of s, which comes from outside (a peer, a
// model): control and bidi characters are shown as '?'.
func indent(s string) string {
	return "    " + strings.ReplaceAll(printable(s, true), "\n", "\n    ")
}
