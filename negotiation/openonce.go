package negotiation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
)

// recordOpenQuery records a new exchange's open envelope on PostgreSQL
// in one statement, so one round trip instead of five (BEGIN, nonce,
// exchange, turn, COMMIT): the sender's pin re-checked unchanged, the
// nonce remembered (a live one is left alone), the exchange created (an
// id already held is left alone) and its open inserted with the answer's
// lease. Each INSERT runs only when the step before it wrote its row, and
// the final division fails the statement — which then changes nothing,
// its nonce included — unless the turn was written. A statement is
// atomic, so this is what the transaction of the SQLite path does.
//
// The clauses are the ones Remember (SQLNonces.Add), create (with a
// pin) and insertTurn run one by one (TestRecordedOpenIsWhatGetReads,
// TestCachedPinRechecked).
const recordOpenQuery = `WITH pin AS (
	SELECT 1 FROM peers WHERE id = ? AND workspace_id = ? AND node_id = ? AND a2a_url = '' AND updated_at = ? AND jwks = ?
), nonce AS (
	INSERT INTO negotiation_nonces (sender, nonce, expires_at) SELECT ?, ?, CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 FROM pin)
	ON CONFLICT (sender, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE negotiation_nonces.expires_at <= ?
	RETURNING 1
), neg AS (
	INSERT INTO negotiations (workspace_id, id, peer, goal, status, max_usd, max_turns, created_at, role, key_id, member_id, deadline_at)
	SELECT ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 FROM nonce)
	ON CONFLICT (workspace_id, id) DO NOTHING
	RETURNING 1
), turn AS (
	INSERT INTO negotiation_turns (workspace_id, negotiation_id, seq, from_node, type, text, data, jws, at, lease_until)
	SELECT ?, ?, CAST(? AS BIGINT), ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 FROM neg)
	RETURNING 1
)
SELECT 1 / (SELECT COUNT(*) FROM turn)`

// pgDivisionByZero is the SQLSTATE recordOpenQuery fails with when it
// wrote nothing.
const pgDivisionByZero = "22012"

// recordOpenAtOnce runs recordOpenQuery for the open env (already
// verified with pin's keys) of exchange p, its turn t. It returns
// errSlowPath, having changed nothing, when the pin changed, the nonce
// was seen or the id is held: the registry path then answers it.
func recordOpenAtOnce(ctx context.Context, db *store.DB, pin peers.Peer, env Envelope, p CreateParams, t Turn, now time.Time) (Negotiation, error) {
	n, err := newNegotiation(pin.WorkspaceID, p, now)
	if err != nil {
		return Negotiation{}, err
	}
	data := ""
	if t.Data != nil {
		data = string(t.Data)
	}
	var one int
	err = db.QueryRow(ctx, recordOpenQuery,
		pin.ID, pin.WorkspaceID, pin.NodeID, store.Micros(pin.UpdatedAt), string(pin.JWKS),
		env.From, env.Nonce, store.Micros(time.Unix(env.ExpiresAt, 0)), store.Micros(now),
		pin.WorkspaceID, n.ID, n.Peer, n.Goal, string(n.Status), int64(n.MaxUSD), n.MaxTurns, store.Micros(n.CreatedAt),
		string(n.Role), n.KeyID, n.MemberID, deadlineMicros(p.Deadline),
		pin.WorkspaceID, n.ID, t.Seq, t.From, string(t.Type), t.Text, data, t.JWS, store.Micros(t.At), t.lease,
	).Scan(&one)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == pgDivisionByZero {
		return Negotiation{}, errSlowPath
	}
	if err != nil {
		return Negotiation{}, fmt.Errorf("negotiation: record the open of %s: %w", n.ID, err)
	}
	return n, nil
}
