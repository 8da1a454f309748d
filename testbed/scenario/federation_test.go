package scenario_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace/contacts"
)

// Issue 10: two real nodes, separate processes, databases and keys,
// peered both ways with `peers add --yes`, negotiate offline with the
// local agent; the CRM is stopped, restarted and killed mid-exchange.

// fedNode is one soisnode process of the federation scenario.
type fedNode struct {
	name, base, url string
	env             []string
	bin             string
	creds           initCreds
	proc            *child
}

func newFedNode(t *testing.T, bin, db, name, hookURL string) *fedNode {
	t.Helper()
	addr := freeAddr(t)
	f := &fedNode{name: name, base: "http://" + addr, url: databaseURL(t, db), bin: bin}
	f.env = processEnv(t.TempDir(), f.url, addr,
		"SOIS_NODE_NAME="+name,
		"SOIS_PEER_ALLOW_HOSTS=127.0.0.1", "SOIS_WEBHOOK_ALLOW_HOSTS=127.0.0.1",
		"SOIS_URL="+f.base,
		// A job running when a node is killed is rescued after
		// SOIS_RESCUE_AFTER (default 4 minutes): shorten it, as the
		// restart tests do, so the SIGKILL case resumes within the wait.
		"SOIS_TURN_TIMEOUT=8s", "SOIS_RESCUE_AFTER=9s")
	out := f.run(t, "init", "--json")
	if err := json.Unmarshal(out, &f.creds); err != nil {
		t.Fatalf("%s init: %s", name, out)
	}
	var key struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(f.run(t, "keys", "create", "--name", "hooks", "--response-url", hookURL, "--json"), &key); err != nil {
		t.Fatal(err)
	}
	f.creds.APIKey = key.APIKey
	f.env = append(f.env, "SOIS_TOKEN="+f.creds.Token, "SOIS_API_KEY="+f.creds.APIKey)
	return f
}

// run runs a CLI verb against the node's database and returns stdout.
func (f *fedNode) run(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(f.bin, args...)
	cmd.Env = f.env
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %v: %v\n%s%s", f.name, args, err, out, stderr)
	}
	return out
}

func (f *fedNode) start(t *testing.T) {
	t.Helper()
	f.proc = serveChild(t, f.bin, f.env, f.name)
	waitReady(t, f.proc, f.base)
}

// negotiation polls a negotiation until it is not open, or fails.
func (f *fedNode) finished(t *testing.T, id string) fedNegotiation {
	t.Helper()
	var status int
	var body []byte
	var n fedNegotiation
	if !poll.Until(120*time.Second, func() bool {
		status, body = apiCall(t, "GET", f.base+"/api/negotiations/"+id, f.creds, nil)
		n = fedNegotiation{}
		return status == http.StatusOK && json.Unmarshal(body, &n) == nil && n.Status != "open"
	}) {
		t.Fatalf("%s: negotiation %s not finished: %d %s", f.name, id, status, body)
	}
	return n
}

type fedNegotiation struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Summary string `json:"summary"`
	Turns   []struct {
		Seq  int64  `json:"seq"`
		From string `json:"from"`
		Type string `json:"type"`
		JWS  string `json:"jws"`
	} `json:"turns"`
}

func (n fedNegotiation) types() string {
	var out []string
	for _, t := range n.Turns {
		out = append(out, t.Type)
	}
	return strings.Join(out, ",")
}

// sameTranscript fails unless both sides hold the same envelopes, each
// seq once.
func sameTranscript(t *testing.T, a, b fedNegotiation) {
	t.Helper()
	if len(a.Turns) != len(b.Turns) {
		t.Fatalf("transcripts differ: %s / %s", a.types(), b.types())
	}
	for i := range a.Turns {
		if a.Turns[i].Seq != int64(i+1) || a.Turns[i].From != b.Turns[i].From || a.Turns[i].Type != b.Turns[i].Type {
			t.Fatalf("turn %d differs: %+v / %+v", i+1, a.Turns[i], b.Turns[i])
		}
	}
}

// webhooks collects negotiation.finished deliveries by path.
type webhooks struct {
	mu  sync.Mutex
	got map[string][]string // path → negotiation ids
	srv *httptest.Server
}

func newWebhooks(t *testing.T) *webhooks {
	w := &webhooks{got: map[string][]string{}}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var hook struct {
			Event       string `json:"event"`
			Negotiation struct {
				ID, Status string
			} `json:"negotiation"`
		}
		if json.Unmarshal(body, &hook) == nil && hook.Event == "negotiation.finished" {
			w.mu.Lock()
			w.got[r.URL.Path] = append(w.got[r.URL.Path], hook.Negotiation.ID)
			w.mu.Unlock()
		}
	}))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *webhooks) waitFor(t *testing.T, path, id string) {
	t.Helper()
	delivered := poll.Until(60*time.Second, func() bool {
		w.mu.Lock()
		ids := strings.Join(w.got[path], ",")
		w.mu.Unlock()
		return strings.Contains(ids, id)
	})
	if !delivered {
		t.Fatalf("no negotiation.finished for %s at %s", id, path)
	}
}

func contactNames(t *testing.T, url string) string {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(context.Background(), `SELECT name FROM contacts ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		names = append(names, n)
	}
	return strings.Join(names, ",")
}

func seedCRM(t *testing.T, f *fedNode) {
	t.Helper()
	db, err := store.Open(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	err = db.InTx(ctx, func(tx store.Tx) error {
		var member string
		if err := tx.QueryRow(ctx, `SELECT id FROM members WHERE workspace_id = ?`, f.creds.WorkspaceID).Scan(&member); err != nil {
			return err
		}
		for _, c := range []contacts.Fields{
			{Name: "Ann Lee", Email: "ann@acme.example", Company: "Acme Corp", City: "London"},
			{Name: "Bob Stone", Email: "bob@acmelog.example", Company: "Acme Logistics", City: "London"},
			{Name: "Cat Ray", Email: "cat@globex.example", Company: "Globex", City: "London"},
			{Name: "Dan Fox", Email: "dan@acme.example", Company: "Acme Corp", City: "Paris"},
			{Name: "Eve Moss", Email: "eve@acme.example", Company: "Acme Corp", City: "Berlin"},
		} {
			if _, err := contacts.Create(ctx, tx, f.creds.WorkspaceID, member, c, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFederationBetweenTwoProcesses(t *testing.T) {
	bin := soisnodeBinary(t)
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			hooks := newWebhooks(t)
			erp := newFedNode(t, bin, db, "ERP", hooks.srv.URL+"/erp")
			crm := newFedNode(t, bin, db, "CRM", hooks.srv.URL+"/crm")
			seedCRM(t, crm)
			erp.start(t)
			crm.start(t)
			erp.run(t, "peers", "add", crm.base, "--yes")
			crm.run(t, "peers", "add", erp.base, "--yes", "--scopes", "contacts:read")

			// Plain English through `soisnode send`: one clarification
			// round ("which company?"), the records come back and are
			// imported, the turn completes with the receipts.
			out := erp.run(t, "send", "--json", "--wait", "60", "Ask the CRM for every contact at Acme in London and add them here")
			var conv conversation
			if err := json.Unmarshal(out, &conv); err != nil || conv.Status != "completed" || len(conv.Turns) != 1 {
				t.Fatalf("send: %v %s", err, out)
			}
			var refs []string
			negID := ""
			for _, a := range conv.Turns[0].Actions {
				refs = append(refs, a.Tool)
				if a.Tool == "peers_negotiate" {
					negID = strings.TrimPrefix(a.Ref, "negotiation/")
				}
			}
			if strings.Join(refs, ",") != "peers_negotiate,contacts_create,contacts_create" || negID == "" {
				t.Fatalf("receipts %v: %s", refs, out)
			}
			if got := contactNames(t, erp.url); got != "Ann Lee,Bob Stone" {
				t.Fatalf("ERP contacts %q", got)
			}
			onERP, onCRM := erp.finished(t, negID), crm.finished(t, negID)
			if onERP.Status != "accepted" || onCRM.Status != "accepted" || onERP.types() != "open,message,message,propose,accept" {
				t.Fatalf("exchange: %s %s / %s", onERP.Status, onERP.types(), onCRM.Status)
			}
			sameTranscript(t, onERP, onCRM)
			hooks.waitFor(t, "/erp", negID)
			hooks.waitFor(t, "/crm", negID)

			// Again: nothing is imported twice.
			out = erp.run(t, "send", "--json", "--wait", "60", "Ask the CRM for every contact at Acme in London and add them here")
			conv = conversation{}
			if err := json.Unmarshal(out, &conv); err != nil || conv.Status != "completed" || len(conv.Turns[0].Actions) != 1 || !strings.Contains(conv.Reply, "already up to date 2") {
				t.Fatalf("second send: %s", out)
			}
			if got := contactNames(t, erp.url); got != "Ann Lee,Bob Stone" {
				t.Fatalf("ERP contacts after the second run %q", got)
			}

			// The CRM is down when the exchange opens: the open envelope is
			// retried until it is back, and the exchange finishes.
			crm.proc.stop(t)
			status, body := apiCall(t, "POST", erp.base+"/api/negotiations", erp.creds, map[string]any{"peer": "CRM", "goal": "every contact in Paris, and add them here"})
			if status != http.StatusAccepted {
				t.Fatalf("open: %d %s", status, body)
			}
			var opened fedNegotiation
			_ = json.Unmarshal(body, &opened)
			crm.start(t)
			onERP, onCRM = erp.finished(t, opened.ID), crm.finished(t, opened.ID)
			if onERP.Status != "accepted" || onCRM.Status != "accepted" {
				t.Fatalf("after the CRM restart: %s %s / %s\n%s", onERP.Status, onERP.types(), onCRM.Status, onERP.Summary)
			}
			sameTranscript(t, onERP, onCRM)
			if got := contactNames(t, erp.url); got != "Ann Lee,Bob Stone,Dan Fox" {
				t.Fatalf("ERP contacts %q", got)
			}

			// The CRM is killed (SIGKILL) as soon as it holds the exchange,
			// then restarted: the exchange finishes, no turn twice.
			status, body = apiCall(t, "POST", erp.base+"/api/negotiations", erp.creds, map[string]any{"peer": "CRM", "goal": "every contact in Berlin, and add them here"})
			if status != http.StatusAccepted {
				t.Fatalf("open: %d %s", status, body)
			}
			_ = json.Unmarshal(body, &opened)
			sdb, err := store.Open(context.Background(), crm.url)
			if err != nil {
				t.Fatal(err)
			}
			poll.Wait(t, 60*time.Second, "the CRM to receive the open envelope", func() bool {
				return count(t, sdb, `SELECT count(*) FROM negotiation_turns WHERE negotiation_id = ?`, opened.ID) > 0
			})
			sdb.Close()
			crm.proc.kill()
			crm.start(t)
			onERP, onCRM = erp.finished(t, opened.ID), crm.finished(t, opened.ID)
			if onERP.Status != "accepted" || onCRM.Status != "accepted" {
				t.Fatalf("after the kill: %s %s / %s\n%s", onERP.Status, onERP.types(), onCRM.Status, onERP.Summary)
			}
			sameTranscript(t, onERP, onCRM)
			if got := contactNames(t, erp.url); got != "Ann Lee,Bob Stone,Dan Fox,Eve Moss" {
				t.Fatalf("ERP contacts %q", got)
			}

			// The CRM rotates its signing key: the previous key announces
			// the new one, the ERP pins it, and after a restart (the CRM
			// then signs with the new key only) exchanges still verify.
			var rotated struct {
				KID       string `json:"kid"`
				PeersTold int    `json:"peers_told"`
			}
			if err := json.Unmarshal(crm.run(t, "signing", "rotate", "--json"), &rotated); err != nil || rotated.PeersTold != 1 {
				t.Fatalf("rotate: %v %+v", err, rotated)
			}
			poll.Wait(t, 60*time.Second, "the ERP to pin the announced key", func() bool {
				return strings.Contains(string(erp.run(t, "peers", "list", "--json")), rotated.KID)
			})
			crm.proc.stop(t)
			crm.start(t)
			status, body = apiCall(t, "POST", erp.base+"/api/negotiations", erp.creds, map[string]any{"peer": "CRM", "goal": "every contact in Paris"})
			if status != http.StatusAccepted {
				t.Fatalf("open: %d %s", status, body)
			}
			_ = json.Unmarshal(body, &opened)
			onERP = erp.finished(t, opened.ID)
			if onERP.Status != "accepted" {
				t.Fatalf("after the rotation: %s %s\n%s", onERP.Status, onERP.types(), onERP.Summary)
			}
		})
	}
}
