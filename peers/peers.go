package peers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
)

// Policy limits what a peer's requests may do in our workspace.
type Policy struct {
	// Scopes are the tool scopes (access.ValidateScopes) a peer's requests
	// may use; none by default, so a new peer can use no tool.
	Scopes []string
	// MaxUSD caps what one exchange with the peer may spend here.
	MaxUSD money.Micro
	// MaxTurns caps the turns of one exchange, 1 to MaxTurnsLimit.
	MaxTurns int
}

// Policy defaults and bounds.
const (
	DefaultMaxUSD   = money.Dollar // per exchange
	DefaultMaxTurns = 10
	MaxTurnsLimit   = 100
)

// DefaultPolicy is a new peer's policy: no scopes, DefaultMaxUSD,
// DefaultMaxTurns.
func DefaultPolicy() Policy {
	return Policy{Scopes: []string{}, MaxUSD: DefaultMaxUSD, MaxTurns: DefaultMaxTurns}
}

// PolicyChange is a policy as an operator gives it; nil fields keep the
// current value.
type PolicyChange struct {
	Scopes   *[]string
	MaxUSD   *string // decimal dollars, e.g. "1.50" (money.Parse)
	MaxTurns *int
}

// Apply returns p changed by c, validated.
func (c PolicyChange) Apply(p Policy) (Policy, error) {
	if c.Scopes != nil {
		scopes := []string{}
		for _, s := range *c.Scopes {
			if s = strings.TrimSpace(s); s != "" {
				scopes = append(scopes, s)
			}
		}
		if err := access.ValidateScopes(scopes); err != nil {
			return Policy{}, err
		}
		p.Scopes = scopes
	}
	if c.MaxUSD != nil {
		m, err := money.Parse(*c.MaxUSD)
		if err != nil {
			return Policy{}, errs.E(errs.Invalid, "max_usd must be a dollar amount like 1.50, at most 6 decimals")
		}
		p.MaxUSD = m
	}
	if c.MaxTurns != nil {
		if *c.MaxTurns < 1 || *c.MaxTurns > MaxTurnsLimit {
			return Policy{}, errs.E(errs.Invalid, "max_turns must be 1 to %d", MaxTurnsLimit)
		}
		p.MaxTurns = *c.MaxTurns
	}
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	return p, nil
}

// Peer is a node a workspace has pinned.
type Peer struct {
	ID          string
	WorkspaceID string
	NodeID      string // the peer's node id: "iss" / "from" of what it signs
	Name        string // the local name, unique in the workspace (CheckName)
	CardName    string // the name the peer's card gives itself
	BaseURL     string
	JWKS        []byte // the pinned public keys, a JWKS document
	Fingerprint string // what the operator confirmed (Fingerprint, or CardFingerprint for a plain A2A peer)
	// A2AURL is the JSON-RPC interface of a plain A2A peer (a card without
	// the soisnode extension): exchanges with it travel as A2A messages,
	// unsigned. "" for a soisnode node, reached by signed envelopes.
	A2AURL string
	// CredentialKind is how the credential a plain A2A peer demands is
	// sent ("bearer", "header X-Api-Key"; "" for none): the credential
	// itself is stored sealed and only opened to be sent (credential.go).
	CredentialKind string
	Policy
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Plain reports whether p is a plain A2A agent rather than a soisnode node.
func (p Peer) Plain() bool { return p.A2AURL != "" }

// KeySet returns the peer's pinned keys.
func (p Peer) KeySet() (*verify.KeySet, error) {
	set, err := verify.ParseJWKS(p.JWKS)
	if err != nil {
		return nil, fmt.Errorf("peers: pinned keys of %s: %w", p.ID, err)
	}
	return set, nil
}

// KeyIDs returns the kids of the pinned keys.
func (p Peer) KeyIDs() []string {
	set, err := p.KeySet()
	if err != nil {
		return nil
	}
	ids := []string{}
	for _, k := range set.Keys() {
		ids = append(ids, k.ID)
	}
	return ids
}

// Add pins a fetched peer in a workspace with the default policy changed by
// c, under a local name derived from its card (AddNamed).
func Add(ctx context.Context, q store.Querier, workspaceID string, f *Fetched, c PolicyChange, now time.Time) (Peer, error) {
	return AddNamed(ctx, q, workspaceID, "", f, c, now)
}

// AddNamed pins a fetched peer in a workspace under the local name name
// (CheckName), with the default policy changed by c. With name "" the name
// is derived from the card's (DefaultName), made unique with a suffix
// ("crm-2") when taken. A peer whose node id the workspace already pinned
// is a Conflict (remove it, or re-pin its keys with Repin), and so is a
// name given that another peer of the workspace has, or that is another
// peer's id or node id.
func AddNamed(ctx context.Context, q store.Querier, workspaceID, name string, f *Fetched, c PolicyChange, now time.Time) (Peer, error) {
	if f == nil || f.Keys == nil || len(f.JWKS) == 0 {
		return Peer{}, errs.E(errs.Invalid, "no verified agent card to pin")
	}
	pol, err := c.Apply(DefaultPolicy())
	if err != nil {
		return Peer{}, err
	}
	if name, err = NameFor(ctx, q, workspaceID, name, f); err != nil {
		return Peer{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	p := Peer{
		ID: store.NewID(), WorkspaceID: workspaceID, NodeID: f.Card.ID, Name: name, CardName: strings.TrimSpace(f.Card.Name),
		BaseURL: f.BaseURL, JWKS: f.JWKS, Fingerprint: f.Fingerprint, A2AURL: f.A2AURL, Policy: pol, CreatedAt: now, UpdatedAt: now,
	}
	scopes, err := json.Marshal(pol.Scopes)
	if err != nil {
		return Peer{}, fmt.Errorf("peers: encode scopes: %w", err)
	}
	// Two concurrent adds can both pass the checks above; the unique
	// indexes on (workspace_id, node_id) and (workspace_id, name) let one win.
	n, err := q.Exec(ctx, `INSERT INTO peers (id, workspace_id, node_id, name, card_name, base_url, jwks, fingerprint, a2a_url, scopes, max_usd, max_turns, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ID, workspaceID, p.NodeID, p.Name, p.CardName, p.BaseURL, string(p.JWKS), p.Fingerprint, p.A2AURL, string(scopes), int64(pol.MaxUSD), pol.MaxTurns,
		store.Micros(now), store.Micros(now))
	if err != nil {
		return Peer{}, fmt.Errorf("peers: insert %s: %w", p.NodeID, err)
	}
	if n == 0 {
		return Peer{}, errs.E(errs.Conflict, "node %s or the name %q was pinned in this workspace at the same time; list the peers and try again", p.NodeID, p.Name)
	}
	return p, nil
}

// NameFor returns the local name AddNamed would pin f under in the
// workspace (name, or the one derived from the card when name is ""), or
// the error it would refuse with, so that an operator is never asked to
// confirm keys that cannot be pinned.
func NameFor(ctx context.Context, q store.Querier, workspaceID, name string, f *Fetched) (string, error) {
	if name != "" {
		if err := CheckName(name); err != nil {
			return "", err
		}
	}
	existing, err := List(ctx, q, workspaceID)
	if err != nil {
		return "", err
	}
	for _, e := range existing {
		if e.NodeID == f.Card.ID {
			return "", errs.E(errs.Conflict, "node %s is already a peer of this workspace (%s, named %q); remove it first, or re-pin its keys with `soisnode peers repin %s`",
				e.NodeID, e.ID, e.Name, e.Name)
		}
		if e.Name == f.Card.ID || e.ID == f.Card.ID {
			return "", errs.E(errs.Conflict, "node id %s is the name of peer %s of this workspace; remove that peer first", f.Card.ID, e.ID)
		}
	}
	if name == "" {
		return freeName(DefaultName(f.Card.Name), existing), nil
	}
	if err := nameFree(name, existing); err != nil {
		return "", err
	}
	return name, nil
}

const columns = `id, workspace_id, node_id, name, card_name, base_url, jwks, fingerprint, a2a_url, scopes, max_usd, max_turns, created_at, updated_at, credential_kind`

// List returns the workspace's peers, oldest first.
func List(ctx context.Context, q store.Querier, workspaceID string) ([]Peer, error) {
	return query(ctx, q, "list", `SELECT `+columns+` FROM peers WHERE workspace_id = ? ORDER BY created_at, id`, workspaceID)
}

// query runs one SELECT of columns and scans every row; op names it in
// errors.
func query(ctx context.Context, q store.Querier, op, sql string, args ...any) ([]Peer, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("peers: %s: %w", op, err)
	}
	defer rows.Close()
	out := []Peer{}
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("peers: %s: %w", op, err)
	}
	return out, nil
}

// Get returns the workspace's peer whose id or node id is ref (never its
// name: what people and agents type goes through Resolve). Another
// workspace's peer is NotFound, like an unknown one.
func Get(ctx context.Context, q store.Querier, workspaceID, ref string) (Peer, error) {
	found, err := query(ctx, q, "get", `SELECT `+columns+` FROM peers WHERE workspace_id = ? AND (id = ? OR node_id = ?) ORDER BY id LIMIT 2`, workspaceID, ref, ref)
	if err != nil {
		return Peer{}, err
	}
	switch len(found) {
	case 0:
		return Peer{}, errs.E(errs.NotFound, "no peer %q in this workspace", ref)
	case 1:
		return found[0], nil
	}
	// A peer id that is also another peer's node id: the id wins.
	for _, p := range found {
		if p.ID == ref {
			return p, nil
		}
	}
	return Peer{}, errs.E(errs.Conflict, "%q names more than one peer; use the peer id", ref)
}

// Remove unpins the workspace's peer that ref names (Resolve) and returns it.
func Remove(ctx context.Context, tx store.Tx, workspaceID, ref string) (Peer, error) {
	p, err := Resolve(ctx, tx, workspaceID, ref)
	if err != nil {
		return Peer{}, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM peers WHERE workspace_id = ? AND id = ?`, workspaceID, p.ID); err != nil {
		return Peer{}, fmt.Errorf("peers: delete %s: %w", p.ID, err)
	}
	return p, nil
}

// SetPolicy changes the policy of the workspace's peer that ref names
// (Resolve) and returns the peer as stored.
func SetPolicy(ctx context.Context, tx store.Tx, workspaceID, ref string, c PolicyChange, now time.Time) (Peer, error) {
	p, err := Resolve(ctx, tx, workspaceID, ref)
	if err != nil {
		return Peer{}, err
	}
	if p.Policy, err = c.Apply(p.Policy); err != nil {
		return Peer{}, err
	}
	scopes, err := json.Marshal(p.Scopes)
	if err != nil {
		return Peer{}, fmt.Errorf("peers: encode scopes: %w", err)
	}
	p.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	if _, err := tx.Exec(ctx, `UPDATE peers SET scopes = ?, max_usd = ?, max_turns = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		string(scopes), int64(p.MaxUSD), p.MaxTurns, store.Micros(p.UpdatedAt), workspaceID, p.ID); err != nil {
		return Peer{}, fmt.Errorf("peers: update %s: %w", p.ID, err)
	}
	return p, nil
}

// KeySet returns the keys the workspace pinned for the peer with nodeID,
// to verify that peer's messages. An unpinned node is NotFound, and so is
// a plain A2A peer: it sends no envelopes.
func KeySet(ctx context.Context, q store.Querier, workspaceID, nodeID string) (*verify.KeySet, error) {
	var doc string
	err := q.QueryRow(ctx, `SELECT jwks FROM peers WHERE workspace_id = ? AND node_id = ? AND a2a_url = ''`, workspaceID, nodeID).Scan(&doc)
	if err == store.ErrNoRows {
		return nil, errs.E(errs.NotFound, "node %q is not a pinned peer of this workspace", nodeID)
	}
	if err != nil {
		return nil, fmt.Errorf("peers: keys of %s: %w", nodeID, err)
	}
	set, err := verify.ParseJWKS([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("peers: keys of %s: %w", nodeID, err)
	}
	return set, nil
}

// scan reads columns, then any extra columns into extra.
func scan(r store.Row, extra ...any) (Peer, error) {
	var p Peer
	var jwks, scopes string
	var maxUSD, created, updated int64
	dest := append([]any{&p.ID, &p.WorkspaceID, &p.NodeID, &p.Name, &p.CardName, &p.BaseURL, &jwks, &p.Fingerprint, &p.A2AURL, &scopes, &maxUSD, &p.MaxTurns, &created, &updated, &p.CredentialKind}, extra...)
	if err := r.Scan(dest...); err != nil {
		return Peer{}, fmt.Errorf("peers: scan: %w", err)
	}
	p.JWKS = []byte(jwks)
	if err := json.Unmarshal([]byte(scopes), &p.Scopes); err != nil {
		return Peer{}, fmt.Errorf("peers: scopes of %s: %w", p.ID, err)
	}
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	p.MaxUSD = money.Micro(maxUSD)
	p.CreatedAt, p.UpdatedAt = store.Time(created), store.Time(updated)
	return p, nil
}
