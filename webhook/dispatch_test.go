package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// receiver is a webhook endpoint that verifies every request the way a
// Go receiver would, and answers from a script.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	keys   verify.Source
	now    func() time.Time
	script func(n int) int // status for the n-th request (1-based)

	mu   sync.Mutex
	seen []string // delivery id of each verified request
	bad  []error
}

func newReceiver(t *testing.T, keys verify.Source, now func() time.Time, script func(n int) int) *receiver {
	r := &receiver{t: t, keys: keys, now: now, script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, id, err := verify.Request(req, r.keys, verify.RequestOptions{Now: r.now, JWSOnly: true})
	if err == nil {
		// The Standard Webhooks headers must verify on their own too.
		_, err = verify.Standard(req.Context(), r.keys, req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"),
			req.Header.Get("webhook-signature"), body, 0, r.now())
	}
	var p Payload
	if err == nil {
		if err = json.Unmarshal(body, &p); err == nil && (p.DeliveryID != id || req.Header.Get("Sois-Event") != p.Event) {
			err = fmt.Errorf("body delivery_id %q / event %q disagree with the headers", p.DeliveryID, p.Event)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bad = append(r.bad, err)
		w.WriteHeader(401)
		return
	}
	r.seen = append(r.seen, id)
	w.WriteHeader(r.script(len(r.seen)))
}

func (r *receiver) requests() ([]string, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...), append([]error(nil), r.bad...)
}

type env struct {
	db   *store.DB
	clk  *clock
	keys *signing.Keyring
	d    *Dispatcher
	q    *Queue
	ws   string
}

func newEnv(t *testing.T, db *store.DB, cfg Config) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, clk: &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}, ws: "ws1"}
	if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, e.ws, "Acme", 0); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.keys, err = signing.New(db, make([]byte, 32), signing.Options{Now: e.clk.Now}); err != nil {
		t.Fatal(err)
	}
	if err := e.keys.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Signer, cfg.Now = db, e.keys, e.clk.Now
	cfg.Guard = Guard{AllowHosts: []string{"127.0.0.1"}}
	cfg.Rand = func() float64 { return 0.5 }
	cfg.Logger = slog.New(slog.DiscardHandler)
	if e.d, err = NewDispatcher(cfg); err != nil {
		t.Fatal(err)
	}
	e.q = NewQueue(db, e.clk.Now)
	return e
}

// enqueue commits one delivery to url, as a turn-finishing transaction would.
func (e *env) enqueue(t *testing.T, url string) Delivery {
	t.Helper()
	d, err := NewDelivery(e.ws, "key1", EventCompleted, url, Payload{Conversation: map[string]any{"id": "c1"}, SignedReply: "x.y.z"})
	if err != nil {
		t.Fatal(err)
	}
	d.CreatedAt = e.clk.Now()
	if err := e.db.InTx(context.Background(), func(tx store.Tx) error { return Enqueue(context.Background(), tx, d) }); err != nil {
		t.Fatal(err)
	}
	return d
}

// drain runs the dispatcher, advancing the clock to each next attempt,
// until nothing is pending.
func (e *env) drain(t *testing.T) {
	t.Helper()
	for range 50 {
		if _, err := e.d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		var next int64
		err := e.db.QueryRow(context.Background(), `SELECT COALESCE(MIN(next_attempt_at), 0) FROM deliveries WHERE status = 'pending'`).Scan(&next)
		if err != nil {
			t.Fatal(err)
		}
		if next == 0 {
			return
		}
		if wait := store.Time(next).Sub(e.clk.Now()); wait > 0 {
			e.clk.Add(wait)
		}
	}
	t.Fatal("deliveries still pending after 50 rounds")
}

func TestRetryThenSuccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, Config{})
		rcv := newReceiver(t, e.keys, e.clk.Now, func(n int) int {
			if n <= 3 {
				return 503
			}
			return 200
		})
		d := e.enqueue(t, rcv.srv.URL+"/hook")
		start := e.clk.Now()
		e.drain(t)

		seen, bad := rcv.requests()
		if len(bad) > 0 {
			t.Fatalf("receiver rejected requests: %v", bad)
		}
		if len(seen) != 4 {
			t.Fatalf("receiver saw %d requests, want 4", len(seen))
		}
		for _, id := range seen {
			if id != d.ID {
				t.Fatalf("delivery ids %v, want %s every time", seen, d.ID)
			}
		}
		got, attempts, err := e.q.Get(context.Background(), e.ws, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusDelivered || got.Attempts != 4 || got.LastStatus != 200 || string(got.Body) != string(d.Body) {
			t.Fatalf("delivery = %+v", got)
		}
		if len(attempts) != 4 || attempts[0].StatusCode != 503 || attempts[3].StatusCode != 200 || attempts[3].Number != 4 {
			t.Fatalf("attempts = %+v", attempts)
		}
		// 5 s + 5 min + 30 min of waiting (jitter fixed at the midpoint).
		if elapsed := e.clk.Now().Sub(start); elapsed != 5*time.Second+5*time.Minute+30*time.Minute {
			t.Fatalf("delivered after %v", elapsed)
		}
	})
}

func TestGoneStops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, Config{Workers: 1})
		rcv := newReceiver(t, e.keys, e.clk.Now, func(int) int { return http.StatusGone })
		url := rcv.srv.URL + "/hook"
		first := e.enqueue(t, url)
		second := e.enqueue(t, url)
		e.drain(t)

		if seen, _ := rcv.requests(); len(seen) != 1 {
			t.Fatalf("receiver saw %d requests after a 410, want 1", len(seen))
		}
		for _, id := range []string{first.ID, second.ID} {
			got, _, _ := e.q.Get(ctx, e.ws, id)
			if got.Status != StatusDisabled {
				t.Fatalf("%s status %s, want disabled", id, got.Status)
			}
		}
		third := e.enqueue(t, url)
		if got, _, _ := e.q.Get(ctx, e.ws, third.ID); got.Status != StatusDisabled {
			t.Fatalf("new delivery to a gone URL: %s", got.Status)
		}
		// Saving the response_url again lifts the block.
		if err := e.q.EnableURL(ctx, e.ws, url); err != nil {
			t.Fatal(err)
		}
		if got := e.enqueue(t, url); got.ID == "" {
			t.Fatal("no id")
		} else if d, _, _ := e.q.Get(ctx, e.ws, got.ID); d.Status != StatusPending {
			t.Fatalf("after EnableURL: %s", d.Status)
		}
	})
}

func TestDeadLetterAndRedeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var events []AttemptEvent
		var mu sync.Mutex
		short := Schedule{Delays: []time.Duration{time.Second, time.Minute}, MaxRetryAfter: time.Hour}
		e := newEnv(t, db, Config{Schedule: short, OnAttempt: func(ev AttemptEvent) {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		}})
		var up atomic.Bool
		rcv := newReceiver(t, e.keys, e.clk.Now, func(int) int {
			if up.Load() {
				return 204
			}
			return 500
		})
		d := e.enqueue(t, rcv.srv.URL+"/hook")
		e.drain(t)

		got, attempts, _ := e.q.Get(ctx, e.ws, d.ID)
		if got.Status != StatusDead || len(attempts) != 3 {
			t.Fatalf("after the schedule: %s with %d attempts, want dead after 3", got.Status, len(attempts))
		}
		if len(events) != 3 || events[2].Status != StatusDead || events[0].NextAttemptAt.IsZero() {
			t.Fatalf("events = %+v", events)
		}
		dead, _ := e.q.List(ctx, Filter{WorkspaceID: e.ws, Status: StatusDead})
		if len(dead) != 1 || dead[0].ID != d.ID || dead[0].Body != nil {
			t.Fatalf("dead letters = %+v", dead)
		}

		if err := e.q.Redeliver(ctx, "other-workspace", d.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("redeliver from another workspace: %v", err)
		}
		if err := e.q.Redeliver(ctx, e.ws, "nope"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("redeliver unknown: %v", err)
		}
		up.Store(true)
		if err := e.q.Redeliver(ctx, "", d.ID); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		got, attempts, _ = e.q.Get(ctx, e.ws, d.ID)
		if got.Status != StatusDelivered || len(attempts) != 4 || attempts[3].Number != 4 || got.Attempts != 1 {
			t.Fatalf("after redelivery: %+v, %d attempts", got, len(attempts))
		}
		seen, _ := rcv.requests()
		for _, id := range seen {
			if id != d.ID {
				t.Fatalf("redelivery changed the delivery id: %v", seen)
			}
		}
	})
}

func TestRefusedTargetRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, Config{})
		e.d.cfg.Guard = Guard{} // no allow-list: loopback and http are refused
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
		defer srv.Close()
		d := e.enqueue(t, srv.URL)
		if _, err := e.d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		got, attempts, _ := e.q.Get(ctx, e.ws, d.ID)
		if hits.Load() != 0 || got.Status != StatusPending || len(attempts) != 1 || attempts[0].Error == "" {
			t.Fatalf("refused target: hits %d, %+v, %+v", hits.Load(), got, attempts)
		}
	})
}

// TestTwoDispatchers: two processes sharing a database never send a
// delivery twice.
func TestTwoDispatchers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, Config{Workers: 4})
		other, err := NewDispatcher(e.d.cfg)
		if err != nil {
			t.Fatal(err)
		}
		rcv := newReceiver(t, e.keys, e.clk.Now, func(int) int { return 200 })
		const n = 40
		for range n {
			e.enqueue(t, rcv.srv.URL)
		}
		var wg sync.WaitGroup
		for _, d := range []*Dispatcher{e.d, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					claimed, err := d.RunOnce(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if claimed > d.cfg.Workers {
						t.Errorf("claimed %d, workers are %d", claimed, d.cfg.Workers)
					}
					if claimed == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		seen, bad := rcv.requests()
		counts := map[string]int{}
		for _, id := range seen {
			counts[id]++
		}
		if len(bad) > 0 || len(seen) != n || len(counts) != n {
			t.Fatalf("%d requests for %d distinct deliveries (want %d each), rejected %v", len(seen), len(counts), n, bad)
		}
		delivered, _ := e.q.List(ctx, Filter{Status: StatusDelivered, Limit: 100})
		if len(delivered) != n {
			t.Fatalf("%d delivered", len(delivered))
		}
	})
}

// TestRun exercises the loop: Notify wakes it, OnAttempt signals each attempt.
func TestRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		attempts := make(chan AttemptEvent, 10)
		e := newEnv(t, db, Config{Poll: time.Hour, OnAttempt: func(ev AttemptEvent) { attempts <- ev }})
		rcv := newReceiver(t, e.keys, e.clk.Now, func(int) int { return 200 })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- e.d.Run(ctx) }()

		d := e.enqueue(t, rcv.srv.URL)
		e.d.Notify()
		select {
		case ev := <-attempts:
			if ev.DeliveryID != d.ID || ev.Status != StatusDelivered {
				t.Fatalf("event = %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no attempt after Notify")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestEnqueueRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, Config{})
		d, _ := NewDelivery(e.ws, "", EventFailed, "https://example.com/hook", Payload{})
		boom := errors.New("turn failed to commit")
		err := db.InTx(ctx, func(tx store.Tx) error {
			if err := Enqueue(ctx, tx, d); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, _, err := e.q.Get(ctx, "", d.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("delivery survived the rollback: %v", err)
		}
		var body map[string]any
		_ = json.Unmarshal(d.Body, &body)
		if body["event"] != EventFailed || body["delivery_id"] != d.ID {
			t.Fatalf("body = %s", d.Body)
		}
	})
}

// TestLeaseExpires: a delivery claimed by a process that died is sent by
// another once the lease runs out, and the dead process cannot record over it.
func TestLeaseExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, Config{Lease: time.Minute})
		crashed, _ := NewDispatcher(e.d.cfg)
		rcv := newReceiver(t, e.keys, e.clk.Now, func(int) int { return 200 })
		d := e.enqueue(t, rcv.srv.URL)
		stale, err := crashed.claim(ctx, 16, nil)
		if err != nil || len(stale) != 1 {
			t.Fatalf("claim: %d, %v", len(stale), err)
		}
		if n, _ := e.d.RunOnce(ctx); n != 0 {
			t.Fatalf("claimed a leased delivery: %d", n)
		}
		e.clk.Add(time.Minute)
		if n, _ := e.d.RunOnce(ctx); n != 1 {
			t.Fatalf("lease expired but %d claimed", n)
		}
		if _, err := crashed.record(ctx, stale[0], Result{Status: 500}); !errors.Is(err, errLeaseLost) {
			t.Fatalf("stale record: %v", err)
		}
		got, attempts, _ := e.q.Get(ctx, e.ws, d.ID)
		if got.Status != StatusDelivered || len(attempts) != 1 {
			t.Fatalf("%+v, %d attempts", got, len(attempts))
		}
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var ev AttemptEvent
		e := newEnv(t, db, Config{OnAttempt: func(x AttemptEvent) { ev = x }})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		}))
		defer srv.Close()
		e.enqueue(t, srv.URL)
		if _, err := e.d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if ev.Status != StatusPending || ev.NextAttemptAt.Sub(e.clk.Now()) != time.Hour || ev.Result.Status != 429 {
			t.Fatalf("event = %+v", ev)
		}
	})
}
