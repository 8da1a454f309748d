package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
)

// TestPeersNamesAndRepin: peers are named locally and by any of name, id
// and node id; repin shows the peer's new keys beside the pinned ones and
// changes nothing unless the operator agrees.
func TestPeersNamesAndRepin(t *testing.T) {
	ctx := context.Background()
	urlA := storetest.SQLiteURL(t)
	// B's clock can be moved past its signing-key cache, so that a key
	// rotated by the CLI is served at once.
	urlB, dirB := storetest.SQLiteURL(t), t.TempDir()
	var ahead atomic.Int64
	b := testbed.Start(t, node.Config{DatabaseURL: urlB, DataDir: dirB, NodeName: "Node B", WebhookAllowHosts: loopback, PeerAllowHosts: loopback,
		Now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
	c := startPeerNode(t, "Node C", "")

	sh := newShell(t, urlA)
	sh.env["SOIS_PEER_ALLOW_HOSTS"] = "127.0.0.1"
	ws := sh.workspace()
	db := openStore(t, urlA)
	fingerprintOf := func(n *testbed.Node) string {
		t.Helper()
		keys, err := verify.ParseJWKS(n.Do("GET", peers.JWKSPath, testbed.Creds{}, nil).Body)
		if err != nil {
			t.Fatal(err)
		}
		fp, _ := peers.Fingerprint(keys)
		return fp
	}
	list := func() []cli.PeerView {
		t.Helper()
		var l []cli.PeerView
		if err := json.Unmarshal([]byte(sh.ok("peers", "list", "--json")), &l); err != nil {
			t.Fatal(err)
		}
		return l
	}

	// Bad names fail before anything is fetched or pinned.
	sh.fails(1, "invalid peer name", "peers", "add", b.URL(), "--name", "my crm", "--yes")
	sh.fails(1, "invalid peer name", "peers", "add", b.URL(), "--name", "-crm", "--yes")
	var v cli.PeerView
	if err := json.Unmarshal([]byte(sh.ok("peers", "add", b.URL(), "--name", "crm", "--yes", "--json")), &v); err != nil {
		t.Fatal(err)
	}
	if v.Name != "crm" || v.CardName != "Node B" || v.NodeID != b.NodeID() {
		t.Fatalf("added %+v", v)
	}
	// A name is unique in the workspace; the clash is refused before the
	// operator is asked anything.
	sh.stdin = "y\n"
	r := sh.run("peers", "add", c.URL(), "--name", "crm")
	if r.code != 1 || !strings.Contains(r.stderr, `a peer named "crm" already exists`) || strings.Contains(r.stdout, "Pin these keys") {
		t.Fatalf("name clash: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	sh.fails(1, "is the id of another peer", "peers", "add", c.URL(), "--name", b.NodeID(), "--yes")
	if l := list(); len(l) != 1 {
		t.Fatalf("after refused adds: %+v", l)
	}
	// Without --name, the card's name gives one; the operator sees it.
	if out := sh.ok("peers", "add", c.URL()); !strings.Contains(out, "Name:        node-c (its card: Node C)") || !strings.Contains(out, "Pinned Node C as peer node-c") {
		t.Fatalf("default name: %s", out)
	}
	if out := sh.ok("peers", "list"); !strings.HasPrefix(out, "NAME") || !strings.Contains(out, "crm ") || !strings.Contains(out, "node-c ") {
		t.Fatalf("list:\n%s", out)
	}

	// policy takes a name, an id or a node id.
	cID := list()[1].ID
	for i, ref := range []string{"node-c", cID, c.NodeID()} {
		turns := []string{"3", "4", "5"}[i]
		if out := sh.ok("peers", "policy", ref, "--max-turns", turns); !strings.Contains(out, "Peer node-c") || !strings.Contains(out, turns+" turns") {
			t.Fatalf("policy %s: %s", ref, out)
		}
	}
	sh.fails(1, "name, id or node id", "peers", "policy", "nope", "--max-turns", "3")

	// repin while B serves the pinned keys: nothing to do.
	old := fingerprintOf(b)
	if out := sh.ok("peers", "repin", "crm"); !strings.Contains(out, "nothing to do") || strings.Count(out, old) != 2 {
		t.Fatalf("repin, unchanged: %s", out)
	}

	// B rotates its key; A is told, shown both fingerprints, and asked.
	shB := newShell(t, urlB)
	shB.env["SOIS_DATA_DIR"] = dirB
	shB.ok("signing", "rotate")
	ahead.Store(int64(31 * time.Second))
	rotated := fingerprintOf(b)
	if rotated == old {
		t.Fatal("B still serves its old keys")
	}
	for _, answer := range []string{"n\n", ""} {
		sh.stdin = answer
		r := sh.run("peers", "repin", "crm")
		if r.code != 1 || !strings.Contains(r.stderr, "not re-pinned") || !strings.Contains(r.stdout, "Pinned:      "+old) ||
			!strings.Contains(r.stdout, "Served now:  "+rotated) || !strings.Contains(r.stdout, "[y/N]") {
			t.Fatalf("repin answered %q: exit %d\n%s%s", answer, r.code, r.stdout, r.stderr)
		}
		if p, err := peers.Resolve(ctx, db, ws, "crm"); err != nil || p.Fingerprint != old {
			t.Fatalf("refused repin changed the pin: %+v, %v", p, err)
		}
	}
	sh.fails(1, "no peer", "peers", "repin", "nope", "--yes")
	sh.fails(2, "peers repin PEER", "peers", "repin")

	sh.stdin = "y\n"
	if out := sh.ok("peers", "repin", b.NodeID()); !strings.Contains(out, "Re-pinned crm: fingerprint "+rotated) {
		t.Fatalf("repin: %s", out)
	}
	p, err := peers.Resolve(ctx, db, ws, "crm")
	if err != nil || p.Fingerprint != rotated || len(p.KeyIDs()) != 2 {
		t.Fatalf("after repin: %+v, %v", p, err)
	}
	// What B signs now verifies against the new pin.
	card := b.Do("GET", peers.CardPath, testbed.Creds{}, nil)
	keys, _ := p.KeySet()
	if _, err := verify.Card(ctx, keys, card.Header.Get(verify.HeaderSignature), card.Body, peers.MaxCardAge, time.Now().Add(time.Duration(ahead.Load()))); err != nil {
		t.Fatalf("B's card against the new pin: %v", err)
	}
	var again cli.PeerView
	if err := json.Unmarshal([]byte(sh.ok("peers", "repin", "crm", "--yes", "--json")), &again); err != nil || again.Fingerprint != rotated {
		t.Fatalf("repin --json: %+v, %v", again, err)
	}

	// remove by name frees it.
	if out := sh.ok("peers", "remove", "crm"); !strings.Contains(out, "Peer crm") {
		t.Fatalf("remove: %s", out)
	}
	if l := list(); len(l) != 1 || l[0].Name != "node-c" {
		t.Fatalf("after remove: %+v", l)
	}
}
