package negotiation

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace"
)

// laneSide is a receiving node's service on db with a real local lane,
// and a peer (node_p) pinned in the registry with ring's keys.
type laneSide struct {
	db     *store.DB
	ws     string
	ring   *signing.Keyring // the peer's keys
	peerID string
	q      *queue.Queue
	jobs   *heldJobs
	sent   *countingTransport
}

// countingTransport records what it sends, and fails while fail is set.
type countingTransport struct {
	mu   sync.Mutex
	sent []string
	fail error
}

func (c *countingTransport) Send(_ context.Context, _, token string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.sent = append(c.sent, token)
	return nil
}

func (c *countingTransport) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent)
}

func newLaneSide(t *testing.T, db *store.DB) *laneSide {
	t.Helper()
	ctx := context.Background()
	if err := queue.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	q, err := queue.New(db, queue.Config{Workers: 2, JobTimeout: 10 * time.Second}, func(context.Context, string, int) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	ring := signing.NewMemory(signing.Options{})
	if err := ring.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	l := &laneSide{db: db, ws: newWorkspace(t, db), ring: ring, q: q, jobs: &heldJobs{}, sent: &countingTransport{}}
	if _, err := access.AddMember(ctx, db, l.ws, "Owner", "o@me.example", workspace.Owner, time.Now()); err != nil {
		t.Fatal(err)
	}
	l.peerID = store.NewID()
	now := store.Micros(time.Now())
	if _, err := db.Exec(ctx, `INSERT INTO peers (id, workspace_id, node_id, name, base_url, jwks, fingerprint, scopes, max_usd, max_turns, created_at, updated_at)
		VALUES (?, ?, 'node_p', 'P', 'http://p', ?, 'fp', '[]', 1000000, 10, ?, ?)`, l.peerID, l.ws, string(l.jwks(t, ring)), now, now); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *laneSide) jwks(t *testing.T, r *signing.Keyring) []byte {
	t.Helper()
	j, err := r.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// service is one process's negotiation service on the side's database.
func (l *laneSide) service() *Service {
	now := func() time.Time { return time.Now() }
	return &Service{DB: l.db, Self: "node_me", Signer: signing.NewMemory(signing.Options{}), Peers: peers.Lookup{DB: l.db},
		Transport: l.sent, Jobs: l.jobs, Lane: l.q, Agent: talker{}, Registry: workspace.NewRegistry(l.db, now), Now: now}
}

// open is the peer's signed open of a new exchange, signed with r.
func (l *laneSide) open(t *testing.T, r *signing.Keyring) (string, string) {
	t.Helper()
	now := time.Now()
	env := Envelope{V: Version, NegotiationID: "neg_" + store.NewID(), Seq: 1, From: "node_p", To: "node_me",
		IssuedAt: now.Unix(), ExpiresAt: now.Add(5 * time.Minute).Unix(), Nonce: NewNonce(),
		Type: TypeOpen, Body: Body{Text: "every contact in London"}, Budget: Budget{Cap: 1000}}
	token, err := Sign(context.Background(), r, env)
	if err != nil {
		t.Fatal(err)
	}
	return env.NegotiationID, token
}

// lease is the lease_until of the peer's turn seq.
func (l *laneSide) lease(t *testing.T, id string, seq int64) int64 {
	t.Helper()
	var held int64
	if err := l.db.QueryRow(context.Background(), `SELECT lease_until FROM negotiation_turns WHERE workspace_id = ? AND negotiation_id = ? AND seq = ?`,
		l.ws, id, seq).Scan(&held); err != nil {
		t.Fatal(err)
	}
	return held
}

// waitFor polls the database until cond holds, or fails.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll.Wait(t, 20*time.Second, what, cond)
}

func (l *laneSide) turns(t *testing.T, id string) int {
	t.Helper()
	n, err := Get(context.Background(), l.db, l.ws, id)
	if err != nil {
		t.Fatal(err)
	}
	return len(n.Turns)
}

// TestAnswerRunsInTheLane: an accepted envelope's answer runs at once in
// the receiving process with no River job: its turn row carries a lease
// until the answer is sent, then none. An answer that fails is handed to
// River (one Step job) and its lease ended.
func TestAnswerRunsInTheLane(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLaneSide(t, db)
		s := l.service()
		id, token := l.open(t, l.ring)
		answer, err := s.Accept(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if held := l.lease(t, id, 1); held <= time.Now().UnixMicro() {
			t.Fatalf("the open's row holds no lease before its answer: %d", held)
		}
		answer()
		waitFor(t, "the answer's lease to end", func() bool { return l.lease(t, id, 1) == 0 })
		if got := l.turns(t, id); got != 2 || l.sent.count() != 1 {
			t.Fatalf("%d turns, %d sent; want the answer recorded and sent once", got, l.sent.count())
		}
		if len(l.jobs.steps) != 0 {
			t.Fatalf("River jobs %v for an answer run in the lane", l.jobs.steps)
		}

		// The peer is unreachable: the answer is recorded, then River retries its send.
		l.sent.mu.Lock()
		l.sent.fail = errors.New("connection refused")
		l.sent.mu.Unlock()
		id2, token2 := l.open(t, l.ring)
		answer, err = s.Accept(ctx, token2)
		if err != nil {
			t.Fatal(err)
		}
		answer()
		waitFor(t, "the failed answer's hand-over", func() bool { return l.lease(t, id2, 1) == 0 })
		l.jobs.mu.Lock()
		steps := append([]int64(nil), l.jobs.steps...)
		l.jobs.mu.Unlock()
		if len(steps) != 1 || steps[0] != 2 || l.turns(t, id2) != 2 {
			t.Fatalf("River jobs %v, %d turns; want one Step of seq 2 and the answer recorded once", steps, l.turns(t, id2))
		}
	})
}

// TestFlushLeaseEndsOnStop: an answer sent just before the node stops
// has its lease ended by the stop's flush, not left for the sweep (which
// would send the answer again after a restart).
func TestFlushLeaseEndsOnStop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLaneSide(t, db)
		s := l.service()
		id, token := l.open(t, l.ring)
		answer, err := s.Accept(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		answer() // starts the answer in the lane; once sent, its lease end waits in memory
		waitFor(t, "the answer's lease end to be pending", func() bool {
			s.ends.mu.Lock()
			defer s.ends.mu.Unlock()
			return len(s.ends.pending) == 1
		})
		s.FlushLeaseEnds()
		if held := l.lease(t, id, 1); held != 0 || l.sent.count() != 1 {
			t.Fatalf("after the flush: lease %d, %d sent; want 0 and the answer sent once", held, l.sent.count())
		}
	})
}

// TestAnswerLeaseSwept: the process that accepted an envelope dies before
// its answer ran (the answer never starts): once the lease has run out,
// a sweep hands the answer to River exactly once, and the answer is
// taken once however often the job then runs.
func TestAnswerLeaseSwept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLaneSide(t, db)
		s := l.service()
		id, token := l.open(t, l.ring)
		if _, err := s.Accept(ctx, token); err != nil { // its answer is never started: the process "died"
			t.Fatal(err)
		}
		other := l.service() // another process of the node
		if n, err := other.SweepLeases(ctx); err != nil || n != 0 {
			t.Fatalf("a live lease was swept: %d, %v", n, err)
		}
		// The lease runs out.
		if c, err := db.Exec(ctx, `UPDATE negotiation_turns SET lease_until = 1 WHERE negotiation_id = ? AND seq = 1 AND lease_until > 0`, id); err != nil || c != 1 {
			t.Fatalf("expire the lease: %d, %v", c, err)
		}
		if n, err := other.SweepLeases(ctx); err != nil || n != 1 {
			t.Fatalf("swept %d, %v; want the answer handed over", n, err)
		}
		if n, err := other.SweepLeases(ctx); err != nil || n != 0 {
			t.Fatalf("swept again: %d, %v", n, err)
		}
		if len(l.jobs.steps) != 1 || l.jobs.steps[0] != 2 || l.lease(t, id, 1) != 0 {
			t.Fatalf("River jobs %v, lease %d", l.jobs.steps, l.lease(t, id, 1))
		}
		for range 2 { // River runs the job; a repeat after a crash takes nothing twice
			if err := other.Step(ctx, l.ws, id, 2); err != nil {
				t.Fatal(err)
			}
		}
		if got := l.turns(t, id); got != 2 {
			t.Fatalf("%d turns after the swept answer, want 2", got)
		}
	})
}

// failingPeers is a registry that cannot be read.
type failingPeers struct{}

func (failingPeers) ByNode(context.Context, string) ([]peers.Peer, error) {
	return nil, errors.New("registry unavailable")
}
func (failingPeers) Get(context.Context, string, string) (peers.Peer, error) {
	return peers.Peer{}, errors.New("registry unavailable")
}

// TestCachedPinRechecked: a process that cached a peer's pin accepts its
// opens without reading the registry, yet never accepts what the
// database no longer would: after another process removes the peer, or
// re-pins it to new keys, an envelope the old pin allowed is refused,
// with nothing recorded; one signed with the new keys is accepted. With
// a lane slot free, PostgreSQL records the open in one statement
// (openonce.go), without one in a transaction: both are checked.
func TestCachedPinRechecked(t *testing.T) {
	for _, lane := range []bool{false, true} {
		t.Run(map[bool]string{false: "river", true: "lane"}[lane], func(t *testing.T) { cachedPinRechecked(t, lane) })
	}
}

func cachedPinRechecked(t *testing.T, lane bool) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLaneSide(t, db)
		a, b := l.service(), l.service() // two processes of one node
		if !lane {
			a.Lane, b.Lane = nil, nil
		}
		accepted := 0 // opens accepted, each answered in the lane when lane is set
		answered := func() {
			accepted++
			if lane { // the answer is sent before the registry changes
				waitFor(t, "the answer", func() bool { return l.sent.count() == accepted })
				a.FlushLeaseEnds()
				b.FlushLeaseEnds()
			}
		}
		for _, s := range []*Service{a, b} {
			_, token := l.open(t, l.ring)
			if err := s.Receive(ctx, token); err != nil {
				t.Fatal(err)
			}
			answered()
		}
		// The pin is served from memory: a's registry reads would fail.
		a.Peers = failingPeers{}
		id, token := l.open(t, l.ring)
		if err := a.Receive(ctx, token); err != nil {
			t.Fatalf("an open from a cached pin read the registry: %v", err)
		}
		answered()
		if l.turns(t, id) < 1 {
			t.Fatal("the open was not recorded")
		}
		a.Peers = peers.Lookup{DB: db}

		recorded := func(id string) bool {
			var c int
			if err := db.QueryRow(ctx, `SELECT count(*) FROM negotiations WHERE id = ?`, id).Scan(&c); err != nil {
				t.Fatal(err)
			}
			return c > 0
		}
		nonces := func() int {
			var c int
			if err := db.QueryRow(ctx, `SELECT count(*) FROM negotiation_nonces`).Scan(&c); err != nil {
				t.Fatal(err)
			}
			return c
		}

		// Re-pinned by another process (b's registry write): the old key's envelope is refused by a.
		newRing := signing.NewMemory(signing.Options{})
		if err := newRing.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE peers SET jwks = ?, fingerprint = 'fp2', updated_at = ? WHERE id = ?`,
				string(l.jwks(t, newRing)), store.Micros(time.Now()), l.peerID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		before := nonces()
		id, token = l.open(t, l.ring)
		if err := a.Receive(ctx, token); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("an envelope signed with the replaced key: %v, want Unauthorized", err)
		}
		if recorded(id) || nonces() != before {
			t.Fatal("a refused envelope changed the database")
		}
		id, token = l.open(t, newRing)
		if err := a.Receive(ctx, token); err != nil || !recorded(id) {
			t.Fatalf("an envelope signed with the new key: %v", err)
		}
		answered()

		// Removed by another process: both processes refuse the peer.
		if err := db.InTx(ctx, func(tx store.Tx) error {
			_, err := peers.Remove(ctx, tx, l.ws, l.peerID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		before = nonces()
		for _, s := range []*Service{a, b} {
			id, token := l.open(t, newRing)
			if err := s.Receive(ctx, token); !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("an envelope of a removed peer: %v, want Unauthorized", err)
			}
			if recorded(id) || nonces() != before {
				t.Fatal("a removed peer's envelope changed the database")
			}
		}
	})
}

// TestOpenedInHandIsWhatGetReads: the exchange an answer starts from
// without reading it (openedInHand) is the one Get reads back once the
// receiving transaction committed.
func TestOpenedInHandIsWhatGetReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLaneSide(t, db)
		s := l.service()
		id, token := l.open(t, l.ring)
		env, err := decodeUnverified(token)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		var created Negotiation
		if err := db.InTx(ctx, func(tx store.Tx) error {
			p := CreateParams{ID: id, Peer: env.From, Goal: goalOf(env), MaxUSD: 1000, MaxTurns: 10, Role: RoleResponder, Deadline: now.Add(s.deadline())}
			var err error
			if created, err = Create(ctx, tx, l.ws, p, now); err != nil {
				return err
			}
			return insertTurn(ctx, tx, l.ws, id, TurnOf(env, token, now))
		}); err != nil {
			t.Fatal(err)
		}
		got, err := Get(ctx, db, l.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		in := openedInHand(created, env, token, now, peers.Peer{})
		if !reflect.DeepEqual(in.n, got) {
			t.Fatalf("in hand:\n%+v\nread back:\n%+v", in.n, got)
		}
	})
}

// TestTakeReturnsWhatGetReads: the exchange take returns without reading
// it back (the recorded turn, and the end when the move ends it) is the
// one Get reads once its transaction committed.
func TestTakeReturnsWhatGetReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLaneSide(t, db)
		for _, agent := range []Agent{talker{}, rejecter{}} { // the exchange goes on; it ends
			takeAndRead(t, l, agent)
		}
	})
}

// rejecter refuses every request.
type rejecter struct{}

func (rejecter) Move(context.Context, Situation) (Move, error) {
	return Move{Type: TypeReject, Text: "Not within this side's policy."}, nil
}

func takeAndRead(t *testing.T, l *laneSide, agent Agent) {
	t.Helper()
	{
		ctx, db := context.Background(), l.db
		s := l.service()
		s.Lane = nil // the answer is a River job: this test takes it itself
		s.Agent = agent
		id, token := l.open(t, l.ring)
		if _, err := s.Accept(ctx, token); err != nil {
			t.Fatal(err)
		}
		n, err := Get(ctx, db, l.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.take(ctx, n, 2, &peerOnce{s: s, workspaceID: l.ws, ref: n.Peer})
		if err != nil {
			t.Fatal(err)
		}
		want, err := Get(ctx, db, l.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Turns) != 2 {
			t.Fatalf("%d turns recorded, want the answer's", len(want.Turns))
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("take returned:\n%+v\nread back:\n%+v", got, want)
		}
		if _, final := finalStatus(want.Turns[1].Type); final != want.Status.Final() {
			t.Fatalf("answer %s, status %s", want.Turns[1].Type, want.Status)
		}
	}
}
