package negotiation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Limits on a stored negotiation.
const (
	MaxTurnsLimit = 100   // highest max_turns, like a peer's policy
	MaxGoal       = 4000  // longest goal, in bytes
	MaxSummary    = 16000 // longest summary, in bytes
)

// Negotiation is one side's copy of an exchange: its terms and its signed
// transcript. Both sides use the same ID.
type Negotiation struct {
	WorkspaceID string
	ID          string
	Peer        string // the other node's id
	Goal        string
	Status      Status
	Turns       []Turn // by seq
	Summary     string
	Cost        money.Micro // this side's spend so far: the ledger's rows under CapScope(ID)
	MaxUSD      money.Micro // this side's cap
	MaxTurns    int
	CreatedAt   time.Time
	FinishedAt  time.Time // zero while open

	Role     Role                // which side of the exchange this copy is
	KeyID    string              // the opener's integration key ("" on the responder)
	MemberID string              // the member the opener acts as ("" on the responder)
	Deadline time.Time           // when the exchange expires; zero for none
	Actions  []workspace.Receipt // what this side did locally (imports), as receipts
	// A2AContext is the A2A contextId a plain A2A peer gave its first
	// answer ("" before it, and with a soisnode peer): every later message
	// of the exchange goes to it.
	A2AContext string
	// A2ATask is the plain A2A peer's task that awaits this side's input
	// (its last answer was input-required); "" otherwise.
	A2ATask string
}

// Role is which side of an exchange a negotiation copy belongs to.
type Role string

// Roles.
const (
	RoleOpener    Role = "opener"    // this side sent open
	RoleResponder Role = "responder" // the peer sent open
)

// Turn is one envelope of the transcript, from either side, with the
// compact JWS exactly as sent or received.
type Turn struct {
	Seq  int64
	From string // sender's node id
	Type Type
	Text string
	Data json.RawMessage // nil when the envelope carried none
	JWS  string          // "" for a plain A2A peer's turn: unsigned
	At   time.Time       // when this side sent or accepted it

	// lease, when non-zero, is written as the row's lease_until: the
	// process that received this peer's turn answers it at once until
	// then (lane.go). Never read back.
	lease int64
}

// Signed reports whether t carries its sender's signed envelope; a plain
// A2A peer's turns do not.
func (t Turn) Signed() bool { return t.JWS != "" }

// TurnOf returns the transcript entry for a signed envelope.
func TurnOf(env Envelope, jws string, at time.Time) Turn {
	return Turn{Seq: env.Seq, From: env.From, Type: env.Type, Text: env.Body.Text, Data: env.Body.Data, JWS: jws, At: at}
}

// State returns where the exchange stands, from its status and last turn.
func (n Negotiation) State() State {
	switch {
	case n.Status.Final():
		return StateEnded
	case len(n.Turns) == 0:
		return StateNew
	case n.Turns[len(n.Turns)-1].Type == TypePropose:
		return StateProposed
	}
	return StateOpen
}

// LastSeq returns the seq of the last turn, 0 before any.
func (n Negotiation) LastSeq() int64 {
	if len(n.Turns) == 0 {
		return 0
	}
	return n.Turns[len(n.Turns)-1].Seq
}

type wireTurn struct {
	Seq    int64           `json:"seq"`
	From   string          `json:"from"`
	Type   Type            `json:"type"`
	Text   string          `json:"text"`
	Data   json.RawMessage `json:"data"`
	JWS    string          `json:"jws"`
	Signed bool            `json:"signed"`
	At     time.Time       `json:"at"`
}

// MarshalJSON writes the API shape of DESIGN §7: money as decimal
// strings, finished_at null while open.
func (n Negotiation) MarshalJSON() ([]byte, error) {
	turns := make([]wireTurn, len(n.Turns))
	for i, t := range n.Turns {
		turns[i] = wireTurn{Seq: t.Seq, From: t.From, Type: t.Type, Text: t.Text, Data: t.Data, JWS: t.JWS, Signed: t.Signed(), At: t.At}
	}
	var finished *time.Time
	if !n.FinishedAt.IsZero() {
		finished = &n.FinishedAt
	}
	return json.Marshal(struct {
		ID         string     `json:"id"`
		Peer       string     `json:"peer"`
		Goal       string     `json:"goal"`
		Status     Status     `json:"status"`
		Turns      []wireTurn `json:"turns"`
		Summary    string     `json:"summary"`
		Cost       string     `json:"cost_usd"`
		MaxUSD     string     `json:"max_usd"`
		MaxTurns   int        `json:"max_turns"`
		CreatedAt  time.Time  `json:"created_at"`
		FinishedAt *time.Time `json:"finished_at"`
	}{n.ID, n.Peer, n.Goal, n.Status, turns, n.Summary, n.Cost.Short(), n.MaxUSD.Short(), n.MaxTurns, n.CreatedAt, finished})
}

// CreateParams are the terms of a new negotiation.
type CreateParams struct {
	ID       string // shared with the peer; the opener makes it, the other side takes it from open
	Peer     string // the other node's id
	Goal     string
	MaxUSD   money.Micro
	MaxTurns int
	Role     Role      // RoleOpener when empty
	KeyID    string    // opener: the integration key it acts with
	MemberID string    // opener: the member it acts as
	Deadline time.Time // zero: none
}

// Create stores a new, open negotiation with no turns. An id the
// workspace already holds is a Conflict.
func Create(ctx context.Context, q store.Querier, workspaceID string, p CreateParams, now time.Time) (Negotiation, error) {
	return create(ctx, q, workspaceID, p, now, nil)
}

// create is Create; with a pin, the row is only written while that pin
// is still in the registry exactly as it was read (the check is part of
// the INSERT), else it is a Conflict as for an id already held.
func create(ctx context.Context, q store.Querier, workspaceID string, p CreateParams, now time.Time, pin *peers.Peer) (Negotiation, error) {
	n, err := newNegotiation(workspaceID, p, now)
	if err != nil {
		return Negotiation{}, err
	}
	args := []any{workspaceID, n.ID, n.Peer, n.Goal, string(n.Status), int64(n.MaxUSD), n.MaxTurns, store.Micros(n.CreatedAt),
		string(n.Role), n.KeyID, n.MemberID, deadlineMicros(n.Deadline)}
	query := `INSERT INTO negotiations (workspace_id, id, peer, goal, status, max_usd, max_turns, created_at, role, key_id, member_id, deadline_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, id) DO NOTHING`
	if pin != nil {
		query = `INSERT INTO negotiations (workspace_id, id, peer, goal, status, max_usd, max_turns, created_at, role, key_id, member_id, deadline_at)
		SELECT ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT)
		WHERE EXISTS (SELECT 1 FROM peers WHERE id = ? AND workspace_id = ? AND node_id = ? AND a2a_url = '' AND updated_at = ? AND jwks = ?)
		ON CONFLICT (workspace_id, id) DO NOTHING`
		args = append(args, pin.ID, pin.WorkspaceID, pin.NodeID, store.Micros(pin.UpdatedAt), string(pin.JWKS))
	}
	c, err := q.Exec(ctx, query, args...)
	if err != nil {
		return Negotiation{}, fmt.Errorf("negotiation: create %s: %w", n.ID, err)
	}
	if c == 0 {
		return Negotiation{}, errs.E(errs.Conflict, "negotiation %s already exists", n.ID)
	}
	return n, nil
}

// newNegotiation checks p and returns the open exchange, without turns,
// that create writes for it.
func newNegotiation(workspaceID string, p CreateParams, now time.Time) (Negotiation, error) {
	p.Goal = strings.TrimSpace(p.Goal)
	switch {
	case !validID(p.ID):
		return Negotiation{}, errs.E(errs.Invalid, "invalid negotiation id")
	case !validID(p.Peer):
		return Negotiation{}, errs.E(errs.Invalid, "invalid peer node id")
	case p.Goal == "" || len(p.Goal) > MaxGoal:
		return Negotiation{}, errs.E(errs.Invalid, "goal must be 1 to %d bytes", MaxGoal)
	case p.MaxUSD < 0:
		return Negotiation{}, errs.E(errs.Invalid, "max_usd must not be negative")
	case p.MaxTurns < 1 || p.MaxTurns > MaxTurnsLimit:
		return Negotiation{}, errs.E(errs.Invalid, "max_turns must be 1 to %d", MaxTurnsLimit)
	}
	if p.Role == "" {
		p.Role = RoleOpener
	}
	now = now.UTC().Truncate(time.Microsecond)
	return Negotiation{WorkspaceID: workspaceID, ID: p.ID, Peer: p.Peer, Goal: p.Goal, Status: StatusOpen, Turns: []Turn{},
		MaxUSD: p.MaxUSD, MaxTurns: p.MaxTurns, CreatedAt: now, Role: p.Role, KeyID: p.KeyID, MemberID: p.MemberID,
		Deadline: p.Deadline, Actions: []workspace.Receipt{}}, nil
}

// deadlineMicros is a deadline as stored: Unix µs, 0 for none.
func deadlineMicros(d time.Time) int64 {
	if d.IsZero() {
		return 0
	}
	return store.Micros(d)
}

// Get returns the workspace's negotiation with its turns. Another
// workspace's negotiation is NotFound, like an unknown one.
func Get(ctx context.Context, q store.Querier, workspaceID, id string) (Negotiation, error) {
	n := Negotiation{WorkspaceID: workspaceID, Turns: []Turn{}}
	err := scanNegotiation(q.QueryRow(ctx, `SELECT `+negotiationCols+` FROM negotiations WHERE workspace_id = ? AND id = ?`, workspaceID, id), &n)
	if err == store.ErrNoRows {
		return Negotiation{}, errs.E(errs.NotFound, "no negotiation %s", id)
	}
	if err != nil {
		return Negotiation{}, fmt.Errorf("negotiation: get %s: %w", id, err)
	}
	if n.Turns, err = turns(ctx, q, workspaceID, id); err != nil {
		return Negotiation{}, err
	}
	return n, nil
}

const negotiationCols = `id, peer, goal, status, summary, ` + ledgerCost + `, max_usd, max_turns, created_at, finished_at, role, key_id, member_id, deadline_at, actions, a2a_context, a2a_task`

// CapScope is the ledger scope of an exchange's spend on this node: every
// model call made for it (turns and the summary) is held and recorded
// under it, and its cost is the sum of those ledger rows.
func CapScope(negotiationID string) string { return "negotiation:" + negotiationID }

// ledgerCost is an exchange's cost as the ledger recorded it, for a row of
// table negotiations: there is no second counter that could drift from it.
const ledgerCost = `(SELECT COALESCE(SUM(l.cost), 0) FROM ledger l
	WHERE l.scope = 'negotiation:' || negotiations.id AND l.workspace_id = negotiations.workspace_id)`

// SpentOn returns what the ledger recorded for exchange id so far.
func SpentOn(ctx context.Context, q store.Querier, workspaceID, id string) (money.Micro, error) {
	var c int64
	if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(cost), 0) FROM ledger WHERE scope = ? AND workspace_id = ?`,
		CapScope(id), workspaceID).Scan(&c); err != nil {
		return 0, fmt.Errorf("negotiation: spend of %s: %w", id, err)
	}
	return money.Micro(c), nil
}

// scanNegotiation reads negotiationCols into n (without turns).
func scanNegotiation(r store.Row, n *Negotiation) error {
	var status, role, actions string
	var cost, maxUSD, created, finished, deadline int64
	if err := r.Scan(&n.ID, &n.Peer, &n.Goal, &status, &n.Summary, &cost, &maxUSD, &n.MaxTurns, &created, &finished,
		&role, &n.KeyID, &n.MemberID, &deadline, &actions, &n.A2AContext, &n.A2ATask); err != nil {
		return err
	}
	n.Status, n.Cost, n.MaxUSD, n.CreatedAt = Status(status), money.Micro(cost), money.Micro(maxUSD), store.Time(created)
	n.Role = Role(role)
	if finished != 0 {
		n.FinishedAt = store.Time(finished)
	}
	if deadline != 0 {
		n.Deadline = store.Time(deadline)
	}
	n.Actions = []workspace.Receipt{}
	if err := json.Unmarshal([]byte(actions), &n.Actions); err != nil {
		return fmt.Errorf("negotiation: actions of %s: %w", n.ID, err)
	}
	return nil
}

func turns(ctx context.Context, q store.Querier, workspaceID, id string) ([]Turn, error) {
	rows, err := q.Query(ctx, `SELECT seq, from_node, type, text, data, jws, at FROM negotiation_turns
		WHERE workspace_id = ? AND negotiation_id = ? ORDER BY seq`, workspaceID, id)
	if err != nil {
		return nil, fmt.Errorf("negotiation: turns of %s: %w", id, err)
	}
	defer rows.Close()
	out := []Turn{}
	for rows.Next() {
		var t Turn
		var typ, data string
		var at int64
		if err := rows.Scan(&t.Seq, &t.From, &typ, &t.Text, &data, &t.JWS, &at); err != nil {
			return nil, fmt.Errorf("negotiation: turns of %s: %w", id, err)
		}
		t.Type, t.At = Type(typ), store.Time(at)
		if data != "" {
			t.Data = json.RawMessage(data)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("negotiation: turns of %s: %w", id, err)
	}
	return out, nil
}

// AppendTurn adds a turn to an open negotiation, then returns the
// negotiation. The turn's seq must follow the last one: a turn out of
// order, or on a finished negotiation, is a Conflict. Run it in a
// transaction: the first update locks the negotiation's row, so appends
// and Finish on one negotiation take turns.
func AppendTurn(ctx context.Context, tx store.Tx, workspaceID, id string, t Turn) (Negotiation, error) {
	if err := appendTurnOnly(ctx, tx, workspaceID, id, t); err != nil {
		return Negotiation{}, err
	}
	return Get(ctx, tx, workspaceID, id)
}

// appendTurnOnly is AppendTurn without reading the negotiation back.
func appendTurnOnly(ctx context.Context, tx store.Tx, workspaceID, id string, t Turn) error {
	return appendChecked(ctx, tx, workspaceID, id, t, false)
}

// appendChecked appends t; unsigned allows a turn without a JWS (a plain
// A2A peer's, appendUnsigned).
func appendChecked(ctx context.Context, tx store.Tx, workspaceID, id string, t Turn, unsigned bool) error {
	switch {
	case !t.Type.Known():
		return errs.E(errs.Invalid, "unknown turn type %q", t.Type)
	case !validID(t.From) || (t.JWS == "" && !unsigned):
		return errs.E(errs.Invalid, "a turn needs its sender and its signed envelope")
	case t.Data != nil && !json.Valid(t.Data):
		return errs.E(errs.Invalid, "turn data is not JSON")
	}
	// The update only takes the row's lock (appends and Finish take turns).
	c, err := tx.Exec(ctx, `UPDATE negotiations SET status = status WHERE workspace_id = ? AND id = ? AND status = ?`,
		workspaceID, id, string(StatusOpen))
	if err != nil {
		return fmt.Errorf("negotiation: append to %s: %w", id, err)
	}
	if c == 0 {
		return notOpen(ctx, tx, workspaceID, id)
	}
	var last int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM negotiation_turns WHERE workspace_id = ? AND negotiation_id = ?`,
		workspaceID, id).Scan(&last); err != nil {
		return fmt.Errorf("negotiation: append to %s: %w", id, err)
	}
	if t.Seq != last+1 {
		return errs.E(errs.Conflict, "turn %d of negotiation %s is out of order; next is %d", t.Seq, id, last+1)
	}
	return insertTurn(ctx, tx, workspaceID, id, t)
}

// insertTurn writes a checked turn. Alone, it is how the first turn of a
// negotiation created in the same transaction is added: nothing can
// precede it, and the table's key refuses a second seq 1.
func insertTurn(ctx context.Context, tx store.Tx, workspaceID, id string, t Turn) error {
	data := ""
	if t.Data != nil {
		data = string(t.Data)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO negotiation_turns (workspace_id, negotiation_id, seq, from_node, type, text, data, jws, at, lease_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, workspaceID, id, t.Seq, t.From, string(t.Type), t.Text, data, t.JWS, store.Micros(t.At), t.lease); err != nil {
		return fmt.Errorf("negotiation: append to %s: %w", id, err)
	}
	return nil
}

// Finish ends an open negotiation with a final status and its summary. A
// finished negotiation is a Conflict.
func Finish(ctx context.Context, q store.Querier, workspaceID, id string, status Status, summary string, now time.Time) (Negotiation, error) {
	if !status.Final() || !status.known() {
		return Negotiation{}, errs.E(errs.Invalid, "%q is not a final status", status)
	}
	if len(summary) > MaxSummary {
		return Negotiation{}, errs.E(errs.Invalid, "summary over %d bytes", MaxSummary)
	}
	if err := finishRow(ctx, q, workspaceID, id, status, summary, now); err != nil {
		return Negotiation{}, err
	}
	return Get(ctx, q, workspaceID, id)
}

// finishRow is Finish without reading the negotiation back (status and
// summary checked by the caller).
func finishRow(ctx context.Context, q store.Querier, workspaceID, id string, status Status, summary string, now time.Time) error {
	c, err := q.Exec(ctx, `UPDATE negotiations SET status = ?, summary = ?, finished_at = ? WHERE workspace_id = ? AND id = ? AND status = ?`,
		string(status), summary, store.Micros(now), workspaceID, id, string(StatusOpen))
	if err != nil {
		return fmt.Errorf("negotiation: finish %s: %w", id, err)
	}
	if c == 0 {
		return notOpen(ctx, q, workspaceID, id)
	}
	return nil
}

// recordedTurn is TurnOf(env, jws, at) as Get reads it back once written.
func recordedTurn(env Envelope, jws string, at time.Time) Turn {
	t := TurnOf(env, jws, at.UTC().Truncate(time.Microsecond))
	if len(t.Data) == 0 {
		t.Data = nil
	}
	return t
}

// notOpen explains why an update matched no open negotiation.
func notOpen(ctx context.Context, q store.Querier, workspaceID, id string) error {
	n, err := Get(ctx, q, workspaceID, id)
	if err != nil {
		return err
	}
	return errs.E(errs.Conflict, "negotiation %s is %s", id, n.Status)
}
