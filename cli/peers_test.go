package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
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

var loopback = []string{"127.0.0.1"}

func startPeerNode(t *testing.T, name, publicURL string) *testbed.Node {
	t.Helper()
	return testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), NodeName: name, PublicURL: publicURL,
		WebhookAllowHosts: loopback, PeerAllowHosts: loopback})
}

// tamperProxy sits in front of a node whose public URL is the proxy's, and
// changes the agent card on its way through as mode says.
type tamperProxy struct {
	URL  string
	mode atomic.Value // "", "body", "signature" or "foreign"
	// foreign is a valid card signature by another node.
	foreign atomic.Value
}

func newTamperProxy(t *testing.T) (*tamperProxy, net.Listener) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tamperProxy{URL: "http://" + l.Addr().String()}
	p.mode.Store("")
	p.foreign.Store("")
	return p, l
}

func (p *tamperProxy) serve(t *testing.T, l net.Listener, target string) {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != peers.CardPath {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		sig := resp.Header.Get(verify.HeaderSignature)
		switch p.mode.Load().(string) {
		case "body": // one byte of the name
			i := bytes.Index(body, []byte(`"name":"`)) + len(`"name":"`)
			body[i] ^= 0x01
		case "signature": // one character of the signature itself
			i := strings.LastIndexByte(sig, '.') + 5
			c := "A"
			if sig[i] == 'A' {
				c = "B"
			}
			sig = sig[:i] + c + sig[i+1:]
		case "foreign":
			sig = p.foreign.Load().(string)
		}
		resp.Header.Set(verify.HeaderSignature, sig)
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		resp.ContentLength = int64(len(body))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// TestPeersTwoNodes: node A's operator pins node B over real HTTP on
// loopback, and the CLI refuses what it must.
func TestPeersTwoNodes(t *testing.T) {
	ctx := context.Background()
	urlA := storetest.SQLiteURL(t)
	a := testbed.Start(t, node.Config{DatabaseURL: urlA, NodeName: "Node A", WebhookAllowHosts: loopback, PeerAllowHosts: loopback})
	b := startPeerNode(t, "Node B", "")

	sh := newShell(t, urlA)
	sh.env["SOIS_PEER_ALLOW_HOSTS"] = "127.0.0.1"
	ws := sh.workspace()

	// B's keys as B publishes them, and the fingerprint they must give.
	bKeys, err := verify.ParseJWKS(b.Do("GET", "/.well-known/jwks.json", testbed.Creds{}, nil).Body)
	if err != nil {
		t.Fatal(err)
	}
	wantFP, _ := peers.Fingerprint(bKeys)

	// Answering anything but y pins nothing.
	sh.stdin = "n\n"
	r := sh.run("peers", "add", b.URL())
	if r.code != 1 || !strings.Contains(r.stderr, "not pinned") || !strings.Contains(r.stdout, wantFP) ||
		!strings.Contains(r.stdout, "Node B") || !strings.Contains(r.stdout, b.NodeID()) || !strings.Contains(r.stdout, "Pin these keys? [y/N]") {
		t.Fatalf("answer n: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	sh.stdin = ""
	if r := sh.run("peers", "add", b.URL()); r.code != 1 || !strings.Contains(r.stderr, "not pinned") {
		t.Fatalf("no answer: exit %d %s", r.code, r.stderr)
	}
	if out := sh.ok("peers", "list"); !strings.Contains(out, "No peers") {
		t.Fatalf("after n: %s", out)
	}

	// --yes pins, with the policy given.
	var v cli.PeerView
	if err := json.Unmarshal([]byte(sh.ok("peers", "add", b.URL(), "--yes", "--scopes", "contacts:read,tasks:*", "--max-usd", "0.50", "--max-turns", "5", "--json")), &v); err != nil {
		t.Fatal(err)
	}
	if v.NodeID != b.NodeID() || v.Name != "node-b" || v.CardName != "Node B" || v.BaseURL != b.URL() || v.Fingerprint != wantFP ||
		len(v.KeyIDs) != 1 || v.KeyIDs[0] != bKeys.Keys()[0].ID ||
		strings.Join(v.Scopes, ",") != "contacts:read,tasks:*" || v.MaxUSD != "0.50" || v.MaxTurns != 5 {
		t.Fatalf("pinned %+v", v)
	}
	sh.fails(1, "already a peer", "peers", "add", b.URL(), "--yes")

	// What A stored verifies what B signs.
	db := openStore(t, urlA)
	pinned, err := peers.KeySet(ctx, db, ws, b.NodeID())
	if err != nil {
		t.Fatal(err)
	}
	card := b.Do("GET", peers.CardPath, testbed.Creds{}, nil)
	if _, err := verify.Card(ctx, pinned, card.Header.Get(verify.HeaderSignature), card.Body, peers.MaxCardAge, time.Now()); err != nil {
		t.Fatalf("pinned keys do not verify B's card: %v", err)
	}
	// A's own client, from its configuration, reads B's card the same way.
	if f, err := peers.Fetch(ctx, a.PeerClient(), b.URL()); err != nil || f.Fingerprint != wantFP {
		t.Fatalf("A's peer client: %+v, %v", f, err)
	}

	// list, policy, remove.
	if out := sh.ok("peers", "list"); !strings.Contains(out, b.NodeID()) || !strings.Contains(out, wantFP) || !strings.Contains(out, "contacts:read,tasks:*") {
		t.Fatalf("list:\n%s", out)
	}
	if out := sh.ok("peers", "policy", v.ID, "--max-turns", "7", "--scopes", ""); !strings.Contains(out, "scopes none") || !strings.Contains(out, "0.50 USD and 7 turns") {
		t.Fatalf("policy: %s", out)
	}
	sh.fails(1, "max_turns must be 1 to 100", "peers", "policy", v.ID, "--max-turns", "101")
	sh.fails(1, "max_usd", "peers", "policy", v.ID, "--max-usd", "-1")
	sh.fails(1, "invalid scope", "peers", "policy", v.ID, "--scopes", "contacts")
	sh.fails(1, "no peer", "peers", "policy", "nope", "--max-turns", "3")
	sh.fails(2, "peers add BASE_URL", "peers", "policy")
	sh.fails(2, "unknown peers command", "peers", "pin", b.URL())
	var list []cli.PeerView
	if err := json.Unmarshal([]byte(sh.ok("peers", "list", "--json")), &list); err != nil || len(list) != 1 || list[0].MaxTurns != 7 || len(list[0].Scopes) != 0 {
		t.Fatalf("list --json %+v %v", list, err)
	}
	other := sh.workspace() // the newest workspace is now the default
	if out := sh.ok("peers", "list"); !strings.Contains(out, "No peers") {
		t.Fatalf("another workspace sees %s", out)
	}
	sh.fails(1, "no peer", "peers", "remove", b.NodeID(), "--workspace", other)
	if out := sh.ok("peers", "remove", b.NodeID(), "--workspace", ws); !strings.Contains(out, "removed") {
		t.Fatalf("remove: %s", out)
	}
	if _, err := peers.KeySet(ctx, db, ws, b.NodeID()); err == nil {
		t.Fatal("keys still pinned after remove")
	}

	// Without the allow-list, http and loopback are refused.
	strict := newShell(t, urlA)
	strict.fails(1, "must use https", "peers", "add", b.URL(), "--yes")
	strict.fails(1, "private, loopback or reserved", "peers", "add", strings.Replace(b.URL(), "http://", "https://", 1), "--yes")

	// Node C sits behind a proxy that is its public URL, so only tampering
	// can make its card fail.
	proxy, l := newTamperProxy(t)
	c := startPeerNode(t, "Node C", proxy.URL)
	proxy.serve(t, l, c.URL())
	proxy.foreign.Store(b.Do("GET", peers.CardPath, testbed.Creds{}, nil).Header.Get(verify.HeaderSignature))
	for mode, want := range map[string]string{
		"body":      "signature does not match",
		"signature": "signature does not match",
		"foreign":   "unknown key id",
	} {
		proxy.mode.Store(mode)
		r := sh.run("peers", "add", proxy.URL, "--yes", "--workspace", ws)
		if r.code != 1 || !strings.Contains(r.stderr, "does not verify") || !strings.Contains(r.stderr, want) {
			t.Errorf("tampered (%s): exit %d %s", mode, r.code, r.stderr)
		}
	}
	if out := sh.ok("peers", "list", "--workspace", ws); !strings.Contains(out, "No peers") {
		t.Fatalf("a tampered card was pinned:\n%s", out)
	}
	proxy.mode.Store("")
	sh.stdin = "y\n"
	if out := sh.ok("peers", "add", proxy.URL, "--workspace", ws); !strings.Contains(out, "Pinned Node C") {
		t.Fatalf("untampered through the proxy: %s", out)
	}
}
