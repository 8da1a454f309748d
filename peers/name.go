package peers

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// MaxName is the longest local name of a peer, in bytes.
const MaxName = 64

// CheckName validates a peer's local name: 1 to MaxName letters (a-z,
// A-Z), digits, '.', '_' or '-', starting with a letter or digit — a word
// an operator types and an agent repeats ("crm", "erp-eu", "acme.crm").
func CheckName(name string) error {
	ok := name != "" && len(name) <= MaxName && alnum(rune(name[0]))
	for _, r := range name {
		if !alnum(r) && r != '.' && r != '_' && r != '-' {
			ok = false
		}
	}
	if !ok {
		return errs.E(errs.Invalid, "invalid peer name %q: use 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. crm", name, MaxName)
	}
	return nil
}

func alnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// DefaultName derives a local name from a card's name: lower case, each
// run of other characters one '-', at most MaxName bytes; "peer" when
// nothing is left ("Acme CRM (EU)" → "acme-crm-eu").
func DefaultName(cardName string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(cardName) {
		if alnum(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	name := b.String()
	if len(name) > MaxName {
		name = strings.TrimRight(name[:MaxName], "-")
	}
	if name == "" {
		return "peer"
	}
	return name
}

// nameFree reports, as a Conflict, whether name already names a peer of
// existing: its name, id or node id.
func nameFree(name string, existing []Peer) error {
	for _, e := range existing {
		switch name {
		case e.Name:
			return errs.E(errs.Conflict, "a peer named %q already exists in this workspace (node %s); choose another name with --name", name, e.NodeID)
		case e.ID, e.NodeID:
			return errs.E(errs.Conflict, "%q is the id of another peer of this workspace; choose another name with --name", name)
		}
	}
	return nil
}

// freeName returns base, or base-2, base-3, … when taken.
func freeName(base string, existing []Peer) string {
	name := base
	for i := 2; nameFree(name, existing) != nil; i++ {
		suffix := fmt.Sprintf("-%d", i)
		name = strings.TrimRight(base[:min(len(base), MaxName-len(suffix))], "-") + suffix
	}
	return name
}

// Resolve returns the workspace's peer that ref names: its peer id, its
// node id or its local name, in that order of precedence. This is the
// lookup for every place an operator, a caller or an agent names a peer
// (the CLI, POST /api/negotiations, the peers_negotiate tool). Another
// workspace's peer is NotFound, like an unknown one.
func Resolve(ctx context.Context, q store.Querier, workspaceID, ref string) (Peer, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Peer{}, errs.E(errs.Invalid, "name a peer by its name, id or node id")
	}
	found, err := query(ctx, q, "resolve", `SELECT `+columns+` FROM peers WHERE workspace_id = ? AND (id = ? OR node_id = ? OR name = ?) ORDER BY id LIMIT 3`,
		workspaceID, ref, ref, ref)
	if err != nil {
		return Peer{}, err
	}
	for _, match := range []func(Peer) bool{
		func(p Peer) bool { return p.ID == ref },
		func(p Peer) bool { return p.NodeID == ref },
		func(p Peer) bool { return p.Name == ref },
	} {
		for _, p := range found {
			if match(p) {
				return p, nil
			}
		}
	}
	return Peer{}, errs.E(errs.NotFound, "no peer %q in this workspace (name a peer by its name, id or node id; `soisnode peers list` shows them)", ref)
}
