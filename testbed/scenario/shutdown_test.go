package scenario_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
)

// Issue 11, graceful stop: SIGTERM with webhook deliveries in flight to a
// slow receiver lets them finish and records them, so the restarted node
// sends none of them again, and the process exits 0. A second signal exits
// at once.

// slowReceiver holds every delivery until released, and counts each
// delivery id it is sent.
type slowReceiver struct {
	srv     *httptest.Server
	arrived chan string
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	counts  map[string]int
}

func newSlowReceiver(t *testing.T) *slowReceiver {
	r := &slowReceiver{arrived: make(chan string, 64), release: make(chan struct{}), counts: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id := req.Header.Get("Sois-Delivery-Id")
		r.mu.Lock()
		r.counts[id]++
		r.mu.Unlock()
		r.arrived <- id
		select {
		case <-r.release:
			w.WriteHeader(http.StatusNoContent)
		case <-req.Context().Done():
		}
	}))
	t.Cleanup(r.srv.Close)
	t.Cleanup(r.free) // first: held handlers return before the server closes
	return r
}

func (r *slowReceiver) free() { r.once.Do(func() { close(r.release) }) }

func (r *slowReceiver) wait(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		select {
		case id := <-r.arrived:
			ids = append(ids, id)
		case <-time.After(60 * time.Second):
			t.Fatalf("the receiver got %d deliveries, want %d", len(ids), n)
		}
	}
	return ids
}

// shutdownEnv starts the pieces both tests share: an initialised workspace
// whose integration key sends its webhooks to recv.
func shutdownEnv(t *testing.T, bin, dbURL string, recv *slowReceiver, extra ...string) (env []string, creds initCreds, base string) {
	t.Helper()
	addr := freeAddr(t)
	env = processEnv(t.TempDir(), dbURL, addr, append([]string{"SOIS_WEBHOOK_ALLOW_HOSTS=127.0.0.1"}, extra...)...)
	creds = initNode(t, bin, env)
	out, err := (&exec.Cmd{Path: bin, Args: []string{bin, "keys", "create", "--name", "hooked", "--response-url", recv.srv.URL + "/hook", "--json"}, Env: env}).Output()
	if err != nil {
		t.Fatalf("soisnode keys create: %v", err)
	}
	var key struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &key); err != nil || key.APIKey == "" {
		t.Fatalf("keys create --json printed %s (%v)", out, err)
	}
	creds.APIKey = key.APIKey
	return env, creds, "http://" + addr
}

// send posts n messages; each finished turn queues one delivery.
func sendMessages(t *testing.T, base string, creds initCreds, n int) {
	t.Helper()
	for range n {
		if status, body := apiCall(t, "POST", base+"/api/agent", creds, map[string]any{"message": "what can you do?"}); status != http.StatusAccepted {
			t.Fatalf("POST /api/agent = %d %s", status, body)
		}
	}
}

// waitRefused polls, with a deadline, until nothing listens on base any
// more: the node has begun to shut down.
func waitRefused(t *testing.T, c *child, base string) {
	t.Helper()
	addr := base[len("http://"):]
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		select {
		case <-c.done:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%s still accepts connections after SIGTERM", addr)
}

// exitCode waits for c to exit and returns its exit code (-1 when a
// signal killed it).
func exitCode(t *testing.T, c *child, within time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(within):
		t.Fatalf("serve did not exit within %v", within)
	}
	return c.cmd.ProcessState.ExitCode()
}

func TestSIGTERMFinishesDeliveries(t *testing.T) {
	bin := soisnodeBinary(t)
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			recv := newSlowReceiver(t)
			dbURL := databaseURL(t, db)
			env, creds, base := shutdownEnv(t, bin, dbURL, recv)
			const n = 3
			first := serveChild(t, bin, env, "first serve")
			waitReady(t, first, base)
			sendMessages(t, base, creds, n)
			held := recv.wait(t, n) // all n attempts are in flight, held

			if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			waitRefused(t, first, base)
			recv.free()
			if code := exitCode(t, first, 60*time.Second); code != 0 {
				t.Fatalf("serve exited %d after SIGTERM, want 0", code)
			}

			sdb, err := store.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer sdb.Close()
			for _, id := range held {
				var status, lockedBy string
				var total int
				if err := sdb.QueryRow(t.Context(), `SELECT status, locked_by, attempt_total FROM deliveries WHERE id = ?`, id).Scan(&status, &lockedBy, &total); err != nil {
					t.Fatal(err)
				}
				if status != "delivered" || lockedBy != "" || total != 1 {
					t.Fatalf("delivery %s after SIGTERM: %s, locked by %q, %d attempts; want delivered once, unlocked", id, status, lockedBy, total)
				}
			}

			// The restarted node sends a new delivery (due after the old
			// ones, had they been left pending) and none of the old ones.
			again := serveChild(t, bin, env, "second serve")
			waitReady(t, again, base)
			sendMessages(t, base, creds, 1)
			recv.wait(t, 1)
			recv.mu.Lock()
			for id, c := range recv.counts {
				if c != 1 {
					t.Errorf("delivery %s arrived %d times", id, c)
				}
			}
			if len(recv.counts) != n+1 {
				t.Errorf("the receiver saw %d deliveries, want %d", len(recv.counts), n+1)
			}
			recv.mu.Unlock()
			if err := again.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := exitCode(t, again, 60*time.Second); code != 0 {
				t.Fatalf("second serve exited %d, want 0", code)
			}
		})
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	bin := soisnodeBinary(t)
	recv := newSlowReceiver(t)
	env, creds, base := shutdownEnv(t, bin, databaseURL(t, "sqlite"), recv, "SOIS_SHUTDOWN_GRACE=10m")
	c := serveChild(t, bin, env, "serve")
	waitReady(t, c, base)
	sendMessages(t, base, creds, 1)
	recv.wait(t, 1)
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitRefused(t, c, base)
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// The held attempt would keep a graceful stop waiting for the send
	// timeout; the second signal ends the process instead, with a failure
	// code (the work in hand was not finished).
	if code := exitCode(t, c, 30*time.Second); code != 1 {
		t.Fatalf("serve exited %d after a second signal, want 1", code)
	}
}
