package negotiation

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// counted is what one step of an exchange cost the database.
type counted struct {
	statements []string
	txs        int64
}

// count runs fn and returns the statements it ran through db and the
// transactions s began meanwhile.
func count(t *testing.T, db *store.DB, s *Service, fn func()) counted {
	t.Helper()
	var mu sync.Mutex
	var c counted
	txs := s.txs.Load()
	db.Observe(func(q string) {
		mu.Lock()
		defer mu.Unlock()
		c.statements = append(c.statements, strings.Join(strings.Fields(q), " "))
	})
	fn()
	db.Observe(nil)
	mu.Lock()
	defer mu.Unlock()
	c.txs = s.txs.Load() - txs
	return c
}

// TestReceivedTurnStatements counts what a received turn and its answer
// cost the database, so that it cannot grow unnoticed
// (BenchmarkNegotiationTurn times the open): an open from a sender whose
// pin is cached is three statements in one transaction on SQLite (nonce,
// exchange, turn) and one statement without a transaction on PostgreSQL
// (openonce.go); the answer run in the lane, and a later turn of the
// exchange, are counted the same way.
func TestReceivedTurnStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLaneSide(t, db)
		s := l.service()
		// The first open reads the registry and caches the pin.
		first, token := l.open(t, l.ring)
		if err := s.Receive(ctx, token); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the first answer", func() bool { return l.sent.count() == 1 })
		// The first answer's lease end is not counted below: it is noted
		// just after the send, so wait for it, then write it.
		settleLeaseEnd(t, l, s, first)

		id, token := l.open(t, l.ring)
		var answer func()
		open := count(t, db, s, func() {
			var err error
			if answer, err = s.Accept(ctx, token); err != nil {
				t.Fatal(err)
			}
		})
		want := counted{txs: 1, statements: []string{"INSERT INTO negotiation_nonces", "INSERT INTO negotiations", "INSERT INTO negotiation_turns"}}
		if db.Dialect() == store.Postgres {
			want = counted{txs: 0, statements: []string{"WITH pin AS"}}
		}
		checkCount(t, "a received open", open, want)
		if l.turns(t, id) != 1 || l.lease(t, id, 1) == 0 {
			t.Fatal("the open was not recorded with its answer's lease")
		}

		reply := count(t, db, s, func() {
			answer()
			waitFor(t, "the answer", func() bool { return l.sent.count() == 2 })
		})
		// The answer starts from the exchange and the pin in hand: the
		// kept move, the policy's member and the spend are read, then one
		// transaction records the turn.
		checkCount(t, "the answer", reply, counted{txs: 1, statements: []string{
			"SELECT move FROM negotiation_pending", "SELECT id FROM members", "SELECT COALESCE(SUM(cost), 0) FROM ledger",
			"UPDATE negotiations SET status = status", "SELECT COALESCE(MAX(seq), 0) FROM negotiation_turns", "INSERT INTO negotiation_turns",
			"DELETE FROM negotiation_pending",
		}})

		// The peer's next turn takes the registry path (a later turn).
		env := Envelope{V: Version, NegotiationID: id, Seq: 3, From: "node_p", To: "node_me",
			IssuedAt: time.Now().Unix(), ExpiresAt: time.Now().Add(5 * time.Minute).Unix(), Nonce: NewNonce(),
			Type: TypeMessage, Body: Body{Text: "London"}, Budget: Budget{Cap: 1000}}
		next, err := Sign(ctx, l.ring, env)
		if err != nil {
			t.Fatal(err)
		}
		settleLeaseEnd(t, l, s, id) // the answer's, not the later turn's
		later := count(t, db, s, func() {
			if answer, err = s.Accept(ctx, next); err != nil {
				t.Fatal(err)
			}
		})
		// A later turn reads the pins and the exchange, then records the
		// nonce and the turn after its row's lock and order check.
		checkCount(t, "a later turn", later, counted{txs: 1, statements: []string{
			"SELECT id, workspace_id, node_id", "SELECT id, peer, goal", "SELECT seq, from_node",
			"INSERT INTO negotiation_nonces", "UPDATE negotiations SET status = status", "SELECT COALESCE(MAX(seq), 0) FROM negotiation_turns",
			"INSERT INTO negotiation_turns",
		}})
		answer()
		waitFor(t, "the second answer", func() bool { return l.sent.count() == 3 })
		s.FlushLeaseEnds()
	})
}

// settleLeaseEnd waits until the answer to exchange id's first turn has
// noted its lease end (or the lease-end timer already wrote it), then
// writes what is pending, so that it does not ride on a write counted
// next.
func settleLeaseEnd(t *testing.T, l *laneSide, s *Service, id string) {
	t.Helper()
	waitFor(t, "the answer's lease end", func() bool {
		s.ends.mu.Lock()
		n := len(s.ends.pending)
		s.ends.mu.Unlock()
		return n > 0 || l.lease(t, id, 1) == 0
	})
	s.FlushLeaseEnds()
}

// checkCount fails unless got has want's transactions and, in order, a
// statement starting with each of want's.
func checkCount(t *testing.T, what string, got, want counted) {
	t.Helper()
	ok := got.txs == want.txs && len(got.statements) == len(want.statements)
	for i := 0; ok && i < len(want.statements); i++ {
		ok = strings.HasPrefix(got.statements[i], want.statements[i])
	}
	if !ok {
		t.Fatalf("%s: %d transactions, statements %q; want %d transactions, statements starting %q", what, got.txs, got.statements, want.txs, want.statements)
	}
}

// TestRecordedOpenIsWhatGetReads: the open recorded the way each dialect
// records it with a lane slot (PostgreSQL: one statement; SQLite: one
// transaction) leaves the exchange the answer starts from in hand
// (openedInHand), its nonce and its turn's lease; a second record of it
// (the nonce seen, the id held) changes nothing and gives the envelope
// back to the registry path.
func TestRecordedOpenIsWhatGetReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLaneSide(t, db)
		s := l.service()
		pin, err := peers.Lookup{DB: db}.Get(ctx, l.ws, "node_p")
		if err != nil {
			t.Fatal(err)
		}
		id, token := l.open(t, l.ring)
		env, err := decodeUnverified(token)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		p := CreateParams{ID: id, Peer: env.From, Goal: goalOf(env), MaxUSD: pin.MaxUSD, MaxTurns: pin.MaxTurns, Role: RoleResponder, Deadline: now.Add(s.deadline())}
		lease := store.Micros(now.Add(time.Minute))
		record := func() (Negotiation, error) {
			if db.Dialect() == store.Postgres {
				tu := TurnOf(env, token, now)
				tu.lease = lease
				return recordOpenAtOnce(ctx, db, pin, env, p, tu, now)
			}
			slot := l.q.TakeLocal(time.Minute)
			defer slot.Release()
			lease = slot.HeldUntil()
			return s.recordOpen(ctx, pin, env, token, p, slot, now)
		}
		created, err := record()
		if err != nil {
			t.Fatal(err)
		}
		got, err := Get(ctx, db, l.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		if in := openedInHand(created, env, token, now, pin); !reflect.DeepEqual(in.n, got) {
			t.Fatalf("in hand:\n%+v\nread back:\n%+v", in.n, got)
		}
		if held := l.lease(t, id, 1); held != lease {
			t.Fatalf("the open's lease is %d, want %d", held, lease)
		}
		var nonces int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM negotiation_nonces WHERE sender = ? AND nonce = ?`, env.From, env.Nonce).Scan(&nonces); err != nil {
			t.Fatal(err)
		}
		if nonces != 1 {
			t.Fatalf("%d rows of the open's nonce, want 1", nonces)
		}
		if _, err := record(); !errors.Is(err, errSlowPath) {
			t.Fatalf("recorded again: %v, want the registry path", err)
		}
		if n, err := Get(ctx, db, l.ws, id); err != nil || !reflect.DeepEqual(n, got) {
			t.Fatalf("the second record changed the exchange (%v):\n%+v", err, n)
		}
	})
}
