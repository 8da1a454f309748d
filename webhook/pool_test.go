package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// holder is a receiver that holds every request until the test releases
// it, and reports each arrival.
type holder struct {
	srv     *httptest.Server
	arrived chan string // delivery id of each request, as it arrives
	release chan struct{}
	once    sync.Once
}

func newHolder(t *testing.T) *holder {
	h := &holder{arrived: make(chan string, 64), release: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.arrived <- r.Header.Get("Sois-Delivery-Id")
		select {
		case <-h.release:
			w.WriteHeader(http.StatusNoContent)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(h.srv.Close)
	t.Cleanup(h.free) // runs first: handlers return before the server closes
	return h
}

func (h *holder) free() { h.once.Do(func() { close(h.release) }) }

// wait returns the next n arrivals, failing the test if they do not come.
func (h *holder) wait(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		select {
		case id := <-h.arrived:
			ids = append(ids, id)
		case <-time.After(30 * time.Second):
			t.Fatalf("the held receiver got %d requests, want %d", len(ids), n)
		}
	}
	return ids
}

// events collects OnAttempt reports.
type events chan AttemptEvent

// wait returns the next n attempts, failing the test if they do not come.
func (ch events) wait(t *testing.T, n int) map[string]AttemptEvent {
	t.Helper()
	out := map[string]AttemptEvent{}
	for range n {
		select {
		case ev := <-ch:
			out[ev.DeliveryID] = ev
		case <-time.After(30 * time.Second):
			t.Fatalf("%d attempts recorded, want %d", len(out), n)
		}
	}
	return out
}

// runDispatcher runs e.d until the test ends.
func runDispatcher(t *testing.T, e *env) {
	done := make(chan struct{})
	go func() { defer close(done); _ = e.d.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // cut anything still in flight short
		_ = e.d.Stop(ctx)
		<-done
	})
}

// TestSlowReceiverDoesNotHoldOthers: a receiver that holds every request
// occupies at most PerOrigin workers; another key's deliveries to a fast
// receiver, queued after the slow ones, arrive while the slow ones are
// still held.
func TestSlowReceiverDoesNotHoldOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		attempts := make(events, 64)
		e := newEnv(t, db, Config{Workers: 4, PerOrigin: 2, Poll: time.Hour,
			Sender:    NewSender(Guard{AllowHosts: []string{"127.0.0.1"}}, 5*time.Minute),
			OnAttempt: func(ev AttemptEvent) { attempts <- ev }})
		slow := newHolder(t)
		fast := newReceiver(t, e.keys, e.clk.Now, func(int) int { return 200 })
		var slowIDs, fastIDs []string
		for range 6 {
			slowIDs = append(slowIDs, e.enqueue(t, slow.srv.URL+"/hook").ID)
		}
		for range 3 {
			fastIDs = append(fastIDs, e.enqueue(t, fast.srv.URL+"/hook").ID)
		}
		runDispatcher(t, e)

		slow.wait(t, 2) // the slow origin's two workers are taken
		got := attempts.wait(t, 3)
		for _, id := range fastIDs {
			if ev, ok := got[id]; !ok || ev.Status != StatusDelivered {
				t.Fatalf("fast delivery %s: %+v (attempts %v)", id, ev, got)
			}
		}
		select {
		case id := <-slow.arrived:
			t.Fatalf("a third request (%s) reached the slow receiver: the per-origin limit is 2", id)
		default:
		}
		if seen, bad := fast.requests(); len(seen) != 3 || len(bad) > 0 {
			t.Fatalf("fast receiver saw %v, rejected %v", seen, bad)
		}

		slow.free()
		got = attempts.wait(t, 6)
		for _, id := range slowIDs {
			if ev := got[id]; ev.Status != StatusDelivered {
				t.Fatalf("slow delivery %s after release: %+v", id, ev)
			}
		}
	})
}

// TestStopFinishesInFlight: Stop claims nothing more, lets the attempts in
// flight finish and records them before it returns.
func TestStopFinishesInFlight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		attempts := make(events, 64)
		e := newEnv(t, db, Config{Workers: 4, PerOrigin: 2, Poll: time.Hour,
			Sender:    NewSender(Guard{AllowHosts: []string{"127.0.0.1"}}, 5*time.Minute),
			OnAttempt: func(ev AttemptEvent) { attempts <- ev }})
		slow := newHolder(t)
		for range 3 {
			e.enqueue(t, slow.srv.URL)
		}
		runDispatcher(t, e)
		held := slow.wait(t, 2)

		stopped := make(chan error, 1)
		go func() { stopped <- e.d.Stop(ctx) }()
		<-e.d.quit // Stop has begun: the workers freed below must not take the third one
		slow.free()
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		got := attempts.wait(t, 2)
		for _, id := range held {
			if got[id].Status != StatusDelivered {
				t.Fatalf("held delivery %s: %+v", id, got[id])
			}
		}
		var pending, locked int
		if err := db.QueryRow(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN locked_by <> '' THEN 1 ELSE 0 END), 0)
			FROM deliveries WHERE status = 'pending' AND attempts = 0`).Scan(&pending, &locked); err != nil {
			t.Fatal(err)
		}
		if pending != 1 || locked != 0 {
			t.Fatalf("after Stop: %d untried pending (want 1), %d of them leased (want 0)", pending, locked)
		}
	})
}

// TestStopGraceEndsReleases: when Stop's context ends first, the attempts
// in flight are cut short, no attempt is counted, and the leases are
// released so another process can send at once.
func TestStopGraceEndsReleases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, Config{Workers: 4, PerOrigin: 4, Poll: time.Hour,
			Sender: NewSender(Guard{AllowHosts: []string{"127.0.0.1"}}, 5*time.Minute)})
		slow := newHolder(t)
		for range 3 {
			e.enqueue(t, slow.srv.URL)
		}
		done := make(chan struct{})
		go func() { defer close(done); _ = e.d.Run(ctx) }()
		slow.wait(t, 3)
		grace, cancel := context.WithCancel(ctx)
		cancel() // the grace period is over
		if err := e.d.Stop(grace); err != nil {
			t.Fatal(err)
		}
		<-done
		var pending, leased, tried, recorded int
		if err := db.QueryRow(ctx, `SELECT count(*),
			COALESCE(SUM(CASE WHEN locked_by <> '' OR locked_until <> 0 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(attempt_total), 0) FROM deliveries WHERE status = 'pending'`).Scan(&pending, &leased, &tried); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, `SELECT count(*) FROM delivery_attempts`).Scan(&recorded); err != nil {
			t.Fatal(err)
		}
		if pending != 3 || leased != 0 || tried != 0 || recorded != 0 {
			t.Fatalf("after a cut-short stop: %d pending (want 3), %d leased, %d attempts counted, %d recorded (want 0)",
				pending, leased, tried, recorded)
		}
		// Another process picks them up at once.
		other, err := NewDispatcher(e.d.cfg)
		if err != nil {
			t.Fatal(err)
		}
		slow.free()
		if n, err := other.RunOnce(ctx); err != nil || n != 3 {
			t.Fatalf("another dispatcher sent %d (%v), want 3", n, err)
		}
	})
}

func TestOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://Hooks.Example.com/a?b=c":  "https://hooks.example.com",
		"https://hooks.example.com:443/x":  "https://hooks.example.com",
		"https://hooks.example.com:8443/x": "https://hooks.example.com:8443",
		"http://127.0.0.1:8080/hook":       "http://127.0.0.1:8080",
		"http://[::1]:80/":                 "http://[::1]",
		"HTTP://a.example":                 "http://a.example",
		"not a url":                        "not a url",
	} {
		if got := Origin(raw); got != want {
			t.Errorf("Origin(%q) = %q, want %q", raw, got, want)
		}
	}
}
