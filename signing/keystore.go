package signing

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/soisnode/soisnode/store"
)

// DB is what a Keyring needs from the database; *store.DB implements it.
type DB interface {
	store.Querier
	store.Transactor
}

// row is one signing_keys row. Times are unix microseconds; retireAt 0 means
// active, and a retired key stays published until expiresAt.
type row struct {
	kid, alg   string
	pub        []byte
	privSealed []byte
	createdAt  int64
	retireAt   int64
	expiresAt  int64
}

// published reports whether r belongs in the JWKS at now.
func (r row) published(now int64) bool { return r.retireAt == 0 || r.expiresAt > now }

// keyStore persists rows. Implementations: sqlStore (the database) and
// memStore (tests and tools).
type keyStore interface {
	// published returns the rows in the JWKS at now, active ones first, then
	// newest first.
	published(ctx context.Context, now int64) ([]row, error)
	// all returns every row, newest first.
	all(ctx context.Context) ([]row, error)
	// addFirst inserts r unless an active key exists and reports whether it did.
	addFirst(ctx context.Context, r row) (bool, error)
	// rotate retires every active key at now, keeping it published until
	// expires, and inserts r, atomically.
	rotate(ctx context.Context, r row, now, expires int64) error
}

// order sorts rows active first, then newest first (kid breaks ties so that
// every process picks the same active key if two were ever created at once).
func order(rows []row) {
	slices.SortFunc(rows, func(a, b row) int {
		if (a.retireAt == 0) != (b.retireAt == 0) {
			if a.retireAt == 0 {
				return -1
			}
			return 1
		}
		if a.createdAt != b.createdAt {
			if a.createdAt > b.createdAt {
				return -1
			}
			return 1
		}
		if a.kid > b.kid {
			return -1
		}
		if a.kid < b.kid {
			return 1
		}
		return 0
	})
}

const keyColumns = `kid, alg, public_key, private_enc, created_at, retire_at, expires_at`

// sqlStore keeps keys in the signing_keys table.
type sqlStore struct{ db DB }

func (s sqlStore) query(ctx context.Context, q store.Querier, sql string, args ...any) ([]row, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("signing: load keys: %w", err)
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.kid, &r.alg, &r.pub, &r.privSealed, &r.createdAt, &r.retireAt, &r.expiresAt); err != nil {
			return nil, fmt.Errorf("signing: load keys: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("signing: load keys: %w", err)
	}
	order(out)
	return out, nil
}

func (s sqlStore) published(ctx context.Context, now int64) ([]row, error) {
	return s.query(ctx, s.db, `SELECT `+keyColumns+` FROM signing_keys WHERE retire_at = 0 OR expires_at > ?`, now)
}

func (s sqlStore) all(ctx context.Context) ([]row, error) {
	return s.query(ctx, s.db, `SELECT `+keyColumns+` FROM signing_keys`)
}

func (s sqlStore) insert(ctx context.Context, tx store.Tx, r row) error {
	_, err := tx.Exec(ctx, `INSERT INTO signing_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, 0, 0)`,
		r.kid, r.alg, r.pub, r.privSealed, r.createdAt)
	if err != nil {
		return fmt.Errorf("signing: save key: %w", err)
	}
	return nil
}

func (s sqlStore) addFirst(ctx context.Context, r row) (bool, error) {
	added := false
	err := s.db.InTx(ctx, func(tx store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM signing_keys WHERE retire_at = 0`).Scan(&n); err != nil {
			return fmt.Errorf("signing: count keys: %w", err)
		}
		if n > 0 {
			return nil
		}
		added = true
		return s.insert(ctx, tx, r)
	})
	return added, err
}

func (s sqlStore) rotate(ctx context.Context, r row, now, expires int64) error {
	return s.db.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE signing_keys SET retire_at = ?, expires_at = ? WHERE retire_at = 0`, now, expires); err != nil {
			return fmt.Errorf("signing: retire keys: %w", err)
		}
		return s.insert(ctx, tx, r)
	})
}

// memStore keeps keys in memory.
type memStore struct {
	mu   sync.Mutex
	rows []row
}

func (m *memStore) published(_ context.Context, now int64) ([]row, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []row
	for _, r := range m.rows {
		if r.published(now) {
			out = append(out, r)
		}
	}
	order(out)
	return out, nil
}

func (m *memStore) all(context.Context) ([]row, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.rows)
	order(out)
	return out, nil
}

func (m *memStore) addFirst(_ context.Context, r row) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.rows {
		if x.retireAt == 0 {
			return false, nil
		}
	}
	m.rows = append(m.rows, r)
	return true, nil
}

func (m *memStore) rotate(_ context.Context, r row, now, expires int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.rows {
		if m.rows[i].retireAt == 0 {
			m.rows[i].retireAt, m.rows[i].expiresAt = now, expires
		}
	}
	m.rows = append(m.rows, r)
	return nil
}
