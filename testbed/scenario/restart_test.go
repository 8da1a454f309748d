package scenario_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/testbed/runner"
)

// Issue "walking skeleton", durability: the real binary is killed with
// SIGKILL while a turn waits for the model; after a restart on the same
// database the turn resumes from its recorded steps and completes, with
// no side effect or charge repeated (the interrupted call's hold is counted
// once, as unconfirmed spend).

// The soisnode binary, built once for the package's tests into binDir
// (TestMain removes it).
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

// soisnodeBinary builds ./cmd/soisnode on first use and returns its path.
func soisnodeBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binError = os.MkdirTemp("", "soistest-bin-"); binError == nil {
			binPath, binError = runner.Build(context.Background(), binDir)
		}
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}

// initCreds is what `soisnode init --json` prints.
type initCreds struct {
	WorkspaceID string `json:"workspace_id"`
	Token       string `json:"token"`
	APIKey      string `json:"api_key"`
	BaseURL     string `json:"base_url"`
}

// child is a `soisnode serve` process.
type child struct {
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func serveChild(t *testing.T, bin string, env []string, name string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(bin, "serve"), log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	c.cmd.Env = env
	c.cmd.Stdout = lockedWriter{c.mu, c.log}
	c.cmd.Stderr = lockedWriter{c.mu, c.log}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			c.mu.Lock()
			t.Logf("%s log:\n%s", name, c.log.String())
			c.mu.Unlock()
		}
	})
	return c
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (c *child) kill() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	<-c.done
}

// stop asks for a graceful shutdown and waits for it.
func (c *child) stop(t *testing.T) {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Errorf("serve did not stop on SIGINT")
		c.kill()
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := runner.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// waitReady polls /readyz until the child serves, or fails the test.
func waitReady(t *testing.T, c *child, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			t.Fatalf("serve exited before it was ready")
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-c.done:
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve not ready at %s", base)
}

// call is an HTTP request with the init credentials.
func apiCall(t *testing.T, method, url string, creds initCreds, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+creds.Token)
	req.Header.Set("X-Api-Key", creds.APIKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestTurnResumesAfterKill(t *testing.T) {
	bin := soisnodeBinary(t)
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			url := databaseURL(t, db)
			fake := newFake(t, "openai")
			addr := freeAddr(t)
			env := processEnv(t.TempDir(), url, addr, append(fake.env(),
				// Short enough that a turn orphaned by a crash is rescued
				// promptly, long enough for the turn to reach its second call.
				"SOIS_TURN_TIMEOUT=8s", "SOIS_RESCUE_AFTER=9s")...)
			creds := initNode(t, bin, env)
			base := "http://" + addr

			second := make(chan struct{})
			release := make(chan struct{})
			var releaseOnce sync.Once
			free := func() { releaseOnce.Do(func() { close(release) }) }
			t.Cleanup(free) // before the fake closes (cleanups run last-in first-out)
			fake.handle(func(n int, r request) reply {
				switch n {
				case 1:
					return calls(call{"contacts_create", map[string]any{"name": "Jane Doe", "email": "jane@acme.com", "company": "Acme Corp", "title": "CEO"}})
				case 2: // hold the call until the node is dead
					close(second)
					<-release
					return text("This answer never arrives.")
				}
				return text("Created the contact Jane Doe.")
			})

			first := serveChild(t, bin, env, "first serve")
			waitReady(t, first, base)
			status, body := apiCall(t, "POST", base+"/api/agent", creds, map[string]any{"message": "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"})
			if status != http.StatusAccepted {
				t.Fatalf("POST /api/agent = %d %s", status, body)
			}
			var acc accepted
			if err := json.Unmarshal(body, &acc); err != nil {
				t.Fatal(err)
			}
			select {
			case <-second:
			case <-time.After(30 * time.Second):
				t.Fatalf("the second model call never came (%d calls)", fake.calls())
			}
			first.kill()
			free()

			sdb, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer sdb.Close()
			var turnStatus string
			if err := sdb.QueryRow(t.Context(), `SELECT status FROM turns WHERE conversation_id = ?`, acc.ConversationID).Scan(&turnStatus); err != nil || turnStatus != "running" {
				t.Fatalf("after the kill the turn is %q (%v), want running", turnStatus, err)
			}
			if n := count(t, sdb, `SELECT count(*) FROM ledger WHERE conversation_id = ?`, acc.ConversationID); n != 1 {
				t.Fatalf("after the kill: %d ledger rows, want 1", n)
			}

			again := serveChild(t, bin, env, "second serve")
			waitReady(t, again, base)
			restarted := time.Now()
			cv := waitStoppedHTTP(t, base, creds, acc.ConversationID, 120*time.Second)
			t.Logf("resumed and completed %v after the restart", time.Since(restarted).Round(time.Millisecond))
			if cv.Status != "completed" || cv.Reply != "Created the contact Jane Doe." {
				t.Fatalf("after the restart: %+v", cv)
			}

			// The first call and the tool step were replayed from the
			// database; only the interrupted call was made again.
			reqs := fake.requests()
			if len(reqs) != 3 {
				t.Fatalf("the fake got %d calls, want 3 (the interrupted one repeated once)", len(reqs))
			}
			if string(reqs[2].Body) != string(reqs[1].Body) {
				t.Errorf("the resumed call differs from the interrupted one:\n%s\n%s", reqs[1].Body, reqs[2].Body)
			}
			if err := reqs[2].wellFormed(); err != nil {
				t.Error(err)
			}
			if res := reqs[2].results(); len(res) != 1 || res[0].Name != "contacts_create" {
				t.Errorf("the resumed call's tool results: %+v", res)
			}
			if n := count(t, sdb, `SELECT count(*) FROM contacts WHERE email = 'jane@acme.com'`); n != 1 {
				t.Errorf("%d contacts: the side effect was repeated", n)
			}
			acts := cv.Turns[0].Actions
			if len(acts) != 1 || acts[0].Tool != "contacts_create" || !acts[0].OK {
				t.Errorf("receipts: %+v", acts)
			}
			rows := ledger(t, sdb, "conversation_id = ? AND unconfirmed = 0", acc.ConversationID)
			if len(rows) != 2 || rows[0].In != reqs[0].usage.In || rows[1].In != reqs[2].usage.In {
				t.Errorf("ledger %+v: want the first call once and the resumed call once", rows)
			}
			// The interrupted call may have been billed: its hold is counted
			// as spent (unconfirmed), never released.
			lost := ledger(t, sdb, "conversation_id = ? AND unconfirmed = 1", acc.ConversationID)
			if len(lost) != 1 || lost[0].Cost <= 0 {
				t.Errorf("unconfirmed rows %+v: want the interrupted call's hold", lost)
			}
			if cv.CostUSD != (sum(rows) + sum(lost)).String() {
				t.Errorf("cost_usd %s, ledger %s", cv.CostUSD, sum(rows)+sum(lost))
			}
			var attempts int
			if err := sdb.QueryRow(t.Context(), `SELECT attempts FROM turns WHERE conversation_id = ?`, acc.ConversationID).Scan(&attempts); err != nil || attempts != 2 {
				t.Errorf("turn attempts %d (%v), want 2: started, then resumed once", attempts, err)
			}
			again.stop(t)
		})
	}
}

// waitStoppedHTTP long-polls a conversation on base until its turn stops.
func waitStoppedHTTP(t *testing.T, base string, creds initCreds, id string, within time.Duration) conversation {
	t.Helper()
	deadline := time.Now().Add(within)
	var cv conversation
	for time.Now().Before(deadline) {
		status, body := apiCall(t, "GET", base+"/api/agent/conversations/"+id+"?wait=10", creds, nil)
		if status != http.StatusOK {
			t.Fatalf("GET conversation = %d %s", status, body)
		}
		cv = conversation{}
		if err := json.Unmarshal(body, &cv); err != nil {
			t.Fatal(err)
		}
		if cv.Status != "queued" && cv.Status != "running" {
			return cv
		}
	}
	t.Fatalf("conversation %s still %s after %v", id, cv.Status, within)
	return cv
}
