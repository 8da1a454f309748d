package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/webhook"
)

// result is one run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// shell runs soisnode verbs against one database, like an operator would.
type shell struct {
	t     *testing.T
	env   map[string]string
	stdin string
}

func newShell(t *testing.T, databaseURL string) *shell {
	return &shell{t: t, env: map[string]string{"SOIS_DATABASE_URL": databaseURL, "SOIS_DATA_DIR": t.TempDir()}}
}

func (s *shell) run(args ...string) result {
	s.t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), args, &cli.Env{
		Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(s.stdin),
		Getenv: func(k string) string { return s.env[k] },
	})
	return result{code, out.String(), errOut.String()}
}

// ok runs args and fails the test unless they exit 0.
func (s *shell) ok(args ...string) string {
	s.t.Helper()
	r := s.run(args...)
	if r.code != 0 {
		s.t.Fatalf("soisnode %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs args and fails the test unless they exit with code, and their
// stderr mentions want.
func (s *shell) fails(code int, want string, args ...string) {
	s.t.Helper()
	r := s.run(args...)
	if r.code != code || !strings.Contains(r.stderr, want) {
		s.t.Errorf("soisnode %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(args, " "), r.code, r.stderr, code, want)
	}
}

// workspace creates a workspace with `init --json` and returns its id.
func (s *shell) workspace() string {
	s.t.Helper()
	var c cli.Credentials
	if err := json.Unmarshal([]byte(s.ok("init", "--json")), &c); err != nil {
		s.t.Fatal(err)
	}
	return c.WorkspaceID
}

func openStore(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// receiver answers by path: /fail 500, /gone 410, anything else 200, and
// records the delivery ids it saw.
type receiver struct {
	mu   sync.Mutex
	seen []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Header.Get("Sois-Delivery-Id"))
	r.mu.Unlock()
	switch req.URL.Path {
	case "/fail":
		w.WriteHeader(500)
		w.Write([]byte("boom\nat line 2"))
	case "/gone":
		w.WriteHeader(410)
	default:
		w.WriteHeader(200)
	}
}

func enqueue(t *testing.T, db *store.DB, ws, url string) string {
	t.Helper()
	d, err := webhook.NewDelivery(ws, "", webhook.EventCompleted, url, webhook.Payload{Conversation: map[string]any{"id": "c1"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.InTx(ctx, func(tx store.Tx) error { return webhook.Enqueue(ctx, tx, d) }); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func dispatch(t *testing.T, db *store.DB) {
	t.Helper()
	keys := signing.NewMemory(signing.Options{})
	d, err := webhook.NewDispatcher(webhook.Config{DB: db, Signer: keys, Guard: webhook.Guard{AllowHosts: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestDeliveries(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			sh := newShell(t, url)
			ws1, ws2 := sh.workspace(), sh.workspace()
			db := openStore(t, url)
			recv := &receiver{}
			srv := httptest.NewServer(recv)
			defer srv.Close()
			failing := enqueue(t, db, ws1, srv.URL+"/fail")
			gone := enqueue(t, db, ws1, srv.URL+"/gone")
			other := enqueue(t, db, ws2, srv.URL+"/ok")
			dispatch(t, db)

			all := sh.ok("deliveries", "list")
			for _, want := range []string{"WORKSPACE", ws1, ws2, failing, gone, other, "disabled", "delivered", "pending", "500", "410"} {
				if !strings.Contains(all, want) {
					t.Errorf("deliveries list lacks %q:\n%s", want, all)
				}
			}
			var views []httpapi.DeliveryView
			if err := json.Unmarshal([]byte(sh.ok("deliveries", "list", "--workspace", ws1, "--json")), &views); err != nil {
				t.Fatal(err)
			}
			if len(views) != 2 || views[0].ID != gone || views[1].ID != failing || views[1].Status != "pending" || views[1].NextAttemptAt == nil {
				t.Fatalf("ws1 deliveries %+v", views)
			}
			if out := sh.ok("deliveries", "list", "--status", "disabled"); !strings.Contains(out, gone) || strings.Contains(out, failing) || strings.Contains(out, other) {
				t.Errorf("--status disabled:\n%s", out)
			}
			if out := sh.ok("deliveries", "list", "--workspace", ws1, "--status", "dead"); !strings.Contains(out, "No deliveries") {
				t.Errorf("--status dead:\n%s", out)
			}

			show := sh.ok("deliveries", "show", failing)
			for _, want := range []string{failing, "conversation.completed", "Status:", "pending", "500", "boom at line 2", "LATENCY"} {
				if !strings.Contains(show, want) {
					t.Errorf("deliveries show lacks %q:\n%s", want, show)
				}
			}
			var detail httpapi.DeliveryDetail
			if err := json.Unmarshal([]byte(sh.ok("deliveries", "show", failing, "--json")), &detail); err != nil {
				t.Fatal(err)
			}
			if len(detail.AttemptLog) != 1 || detail.AttemptLog[0].StatusCode != 500 || detail.AttemptLog[0].Response != "boom\nat line 2" {
				t.Fatalf("show --json %+v", detail)
			}
			sh.fails(1, "no delivery", "deliveries", "show", failing, "--workspace", ws2)
			sh.fails(1, "no delivery", "deliveries", "redeliver", "01JUNKNOWN0000000000000000")
			sh.fails(2, "--status", "deliveries", "list", "--status", "lost")
			sh.fails(2, "deliveries show ID", "deliveries", "show")
			sh.fails(2, "unknown deliveries command", "deliveries", "purge")

			// Redelivery: the same id, a fresh schedule, due now.
			if out := sh.ok("deliveries", "redeliver", gone); !strings.Contains(out, gone) {
				t.Errorf("redeliver: %s", out)
			}
			if err := json.Unmarshal([]byte(sh.ok("deliveries", "show", gone, "--json")), &detail); err != nil {
				t.Fatal(err)
			}
			if detail.Status != "pending" || detail.Attempts != 0 || detail.NextAttemptAt == nil || detail.NextAttemptAt.After(time.Now()) {
				t.Fatalf("after redeliver %+v", detail.DeliveryView)
			}
			recv.mu.Lock()
			recv.seen = nil
			recv.mu.Unlock()
			dispatch(t, db)
			recv.mu.Lock()
			seen := recv.seen
			recv.mu.Unlock()
			if len(seen) != 1 || seen[0] != gone {
				t.Fatalf("redelivery sent %v, want [%s]", seen, gone)
			}
		})
	}
}
