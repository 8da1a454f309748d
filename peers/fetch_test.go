package peers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fakeOptions change what a fake peer serves.
type fakeOptions struct {
	card    func(c *a2a.CardParams, base string)           // edit the card before it is signed
	a2aBy   *signing.Keyring                               // make the A2A signatures[] with this keyring
	plain   bool                                           // serve a card without the soisnode extension
	noRPC   bool                                           // and without a JSON-RPC interface
	raw     func(body []byte) []byte                       // edit the card's bytes before they are signed
	rawJWKS func(doc []byte) []byte                        // edit the JWKS served
	after   func(body []byte, sig string) ([]byte, string) // edit what is sent after signing
	signer  *signing.Keyring                               // sign with this keyring instead
	jwks    string                                         // serve this JWKS instead
	status  int                                            // answer the card request with this status
	now     func() time.Time                               // the signer's clock
}

// fakePeer is a node's card and JWKS on 127.0.0.1.
type fakePeer struct {
	URL  string
	Keys *signing.Keyring
}

func newFake(t *testing.T, o fakeOptions) fakePeer {
	t.Helper()
	ctx := context.Background()
	keys := signing.NewMemory(signing.Options{Now: o.now})
	if err := keys.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	signer := keys
	if o.signer != nil {
		signer = o.signer
	}
	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("GET "+peers.JWKSPath, func(w http.ResponseWriter, r *http.Request) {
		if o.jwks != "" {
			_, _ = w.Write([]byte(o.jwks))
			return
		}
		doc, _ := keys.JWKS(r.Context())
		if o.rawJWKS != nil {
			doc = o.rawJWKS(doc)
		}
		_, _ = w.Write(doc)
	})
	mux.HandleFunc("GET "+peers.CardPath, func(w http.ResponseWriter, r *http.Request) {
		if o.status != 0 {
			w.WriteHeader(o.status)
			return
		}
		c := a2a.CardParams{Name: "Fake Node", Description: "A fake node", Version: "test", BaseURL: base,
			Node: peers.NodeParams{NodeID: "node_fake", BaseURL: base, JWKSURL: base + peers.JWKSPath, Version: "test",
				FederationEndpoint: base + peers.FederationPath, Negotiations: true}}
		if o.card != nil {
			o.card(&c, base)
		}
		card := a2a.Card(c)
		if o.plain {
			card.Capabilities.Extensions = nil
		}
		if o.noRPC {
			card.SupportedInterfaces = card.SupportedInterfaces[1:] // HTTP+JSON only
		}
		a2aBy := signer
		if o.a2aBy != nil {
			a2aBy = o.a2aBy
		}
		body, err := a2a.SignedCardJSON(r.Context(), a2aBy, card)
		if err != nil {
			t.Error(err)
		}
		if o.raw != nil {
			body = o.raw(body)
		}
		sig, err := signer.SignCard(r.Context(), body)
		if err != nil {
			t.Error(err)
		}
		if o.after != nil {
			body, sig = o.after(body, sig)
		}
		if sig != "" {
			w.Header().Set(verify.HeaderSignature, sig)
		}
		_, _ = w.Write(body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base = srv.URL
	return fakePeer{URL: srv.URL, Keys: keys}
}

func loopbackClient() *peers.Client { return peers.NewClient([]string{"127.0.0.1"}) }

// fetch fetches the card and keys of the fake at f, failing t on error.
func fetch(t *testing.T, f fakePeer) *peers.Fetched {
	t.Helper()
	fetched, err := peers.Fetch(context.Background(), loopbackClient(), f.URL)
	if err != nil {
		t.Fatal(err)
	}
	return fetched
}

func TestFetch(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, fakeOptions{})
	got, err := peers.Fetch(ctx, loopbackClient(), f.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := f.Keys.PublicKeys(ctx)
	fp, _ := peers.Fingerprint(pub)
	kid, _ := f.Keys.ActiveKeyID(ctx)
	if got.Card.ID != "node_fake" || got.Card.Name != "Fake Node" || got.BaseURL != f.URL || got.Fingerprint != fp || got.SignedBy != kid ||
		!got.Card.Negotiations || got.Card.Federation.Endpoint != f.URL+peers.FederationPath || got.Card.A2A.Name != "Fake Node" {
		t.Fatalf("fetched %+v", got)
	}
	if !regexp.MustCompile(`^[0-9a-f]{4}(-[0-9a-f]{4}){7}$`).MatchString(got.Fingerprint) {
		t.Fatalf("fingerprint %q", got.Fingerprint)
	}
	pinned, err := verify.ParseJWKS(got.JWKS)
	if err != nil || len(pinned.Keys()) != 1 || pinned.Keys()[0].ID != kid {
		t.Fatalf("pinned JWKS %s: %v", got.JWKS, err)
	}
}

// TestFetchPlain: a card without the soisnode extension is a plain A2A
// agent: its JSON-RPC interface, no keys, the card's fingerprint; it is
// pinned as such and has no keys to re-pin. Without the allow-list its
// loopback interface is refused.
func TestFetchPlain(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, fakeOptions{plain: true})
	got := fetch(t, f)
	if got.A2AURL != f.URL+"/a2a" || got.Card.ID != peers.PlainPrefix+f.URL+"/a2a" || got.Card.Name != "Fake Node" ||
		len(got.Keys.Keys()) != 0 || got.Fingerprint != peers.CardFingerprint(got.Raw) {
		t.Fatalf("fetched %+v", got)
	}
	if _, err := peers.Fetch(ctx, peers.NewClient(nil), f.URL); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a loopback plain agent without the allow-list: %v", err)
	}
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			db := storetest.Open(t, url)
			ws := newWorkspace(t, db)
			p, err := peers.Add(ctx, db, ws, got, peers.PolicyChange{}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			back, err := peers.Get(ctx, db, ws, p.ID)
			if err != nil || !back.Plain() || back.A2AURL != got.A2AURL || len(back.KeyIDs()) != 0 {
				t.Fatalf("stored: %+v %v", back, err)
			}
			if _, err := peers.KeySet(ctx, db, ws, p.NodeID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("keys of a plain peer: %v", err)
			}
			err = db.InTx(ctx, func(tx store.Tx) error {
				_, err := peers.Repin(ctx, tx, ws, p.ID, got, p.Fingerprint, time.Now())
				return err
			})
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.Message(err), "no keys to re-pin") {
				t.Fatalf("repin a plain peer: %v", err)
			}
		})
	}
}

func TestFetchRefuses(t *testing.T) {
	ctx := context.Background()
	stranger := signing.NewMemory(signing.Options{})
	if err := stranger.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	past := func() time.Time { return time.Now().Add(-time.Hour) }

	tests := []struct {
		name string
		opts fakeOptions
		kind errs.Kind
		want string
	}{
		{"one byte changed", fakeOptions{after: func(b []byte, s string) ([]byte, string) {
			return []byte(strings.Replace(string(b), "Fake Node", "Fake Nodf", 1)), s
		}}, errs.Invalid, "does not verify"},
		{"signature changed", fakeOptions{after: func(b []byte, s string) ([]byte, string) {
			i := strings.LastIndexByte(s, '.') + 2
			c := byte('A')
			if s[i] == 'A' {
				c = 'B'
			}
			return b, s[:i] + string(c) + s[i+1:]
		}}, errs.Invalid, "signature does not match"},
		{"signed by another key", fakeOptions{signer: stranger}, errs.Invalid, "unknown key id"},
		{"no signature", fakeOptions{after: func(b []byte, _ string) ([]byte, string) { return b, "" }}, errs.Invalid, "no Sois-Signature"},
		{"old signature", fakeOptions{now: past}, errs.Invalid, "too old"},
		{"other base_url", fakeOptions{card: func(c *a2a.CardParams, _ string) { c.Node.BaseURL = "https://elsewhere.example.com" }}, errs.Invalid, "base_url"},
		{"jwks elsewhere", fakeOptions{card: func(c *a2a.CardParams, _ string) { c.Node.JWKSURL = "https://elsewhere.example.com/jwks.json" }}, errs.Invalid, "jwks_url"},
		{"no id", fakeOptions{card: func(c *a2a.CardParams, _ string) { c.Node.NodeID = "" }}, errs.Invalid, "node_id must be"},
		{"control characters in name", fakeOptions{card: func(c *a2a.CardParams, _ string) { c.Name = "a\x1bb" }}, errs.Invalid, "name must be"},
		{"A2A signatures[] by another key", fakeOptions{a2aBy: stranger}, errs.Invalid, "signatures[] do not verify"},
		{"a plain A2A agent without JSON-RPC", fakeOptions{plain: true, noRPC: true}, errs.Invalid, "no A2A 1.x JSON-RPC interface"},
		{"empty JWKS", fakeOptions{jwks: `{"keys":[]}`}, errs.Invalid, "no Ed25519"},
		{"not a JWKS", fakeOptions{jwks: `<html>`}, errs.Invalid, "not a JWKS"},
		// Signed, but not strict JSON.
		{"duplicate card key", fakeOptions{raw: replace(`"name":"Fake Node"`, `"name":"Fake Node","name":"Evil Node"`)}, errs.Invalid, `duplicate object key "name" at $`},
		{"escaped duplicate card key", fakeOptions{raw: replace(`"node_id":"node_fake"`, `"node_id":"node_fake","node_\u0069d":"node_evil"`)}, errs.Invalid, `duplicate object key "node_id"`},
		{"nested duplicate card key", fakeOptions{raw: replace(`"federation_endpoint":`, `"federation_endpoint":"x","federation_endpoint":`)}, errs.Invalid, `duplicate object key "federation_endpoint" at $.capabilities`},
		{"invalid UTF-8 in card", fakeOptions{raw: replace(`Fake Node`, "Fake \xff Node")}, errs.Invalid, "invalid UTF-8"},
		{"trailing data after card", fakeOptions{raw: func(b []byte) []byte { return append(b, `{"id":"node_evil"}`...) }}, errs.Invalid, "trailing data"},
		{"duplicate JWKS key", fakeOptions{rawJWKS: replace(`"kid":`, `"kid":"other","kid":`)}, errs.Invalid, `duplicate object key "kid" at $.keys[]`},
		{"JWKS with two key lists", fakeOptions{rawJWKS: func(b []byte) []byte { return append([]byte(`{"keys":[],`), b[1:]...) }}, errs.Invalid, `duplicate object key "keys"`},
		{"trailing data after JWKS", fakeOptions{rawJWKS: func(b []byte) []byte { return append(b, ` {"keys":[]}`...) }}, errs.Invalid, "trailing data"},
		{"no card", fakeOptions{status: http.StatusNotFound}, errs.Unavailable, "404"},
		{"a redirect", fakeOptions{status: http.StatusFound}, errs.Unavailable, "302"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.opts)
			_, err := peers.Fetch(ctx, loopbackClient(), f.URL)
			if !errs.Is(err, tt.kind) || !strings.Contains(errs.Message(err), tt.want) {
				t.Fatalf("err = %v (%v), want %v mentioning %q", err, errs.KindOf(err), tt.kind, tt.want)
			}
		})
	}
}

// TestFetchGuard: without the allow-list, http and loopback are refused
// before anything is fetched.
func TestFetchGuard(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, fakeOptions{})
	port := f.URL[strings.LastIndexByte(f.URL, ':')+1:]
	for raw, want := range map[string]string{
		f.URL:                              "must use https (http only for hosts in SOIS_PEER_ALLOW_HOSTS)",
		"https://127.0.0.1:" + port:        "private, loopback or reserved",
		"https://localhost:" + port:        "localhost",
		"https://user:pw@node.example.com": "credentials",
		"https://node.example.com/?q=1":    "query",
		"node.example.com":                 "absolute",
		"ftp://node.example.com":           "https",
	} {
		_, err := peers.Fetch(ctx, peers.NewClient(nil), raw)
		if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.Message(err), want) {
			t.Errorf("Fetch(%q) = %v, want invalid mentioning %q", raw, err, want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	ctx := context.Background()
	a := signing.NewMemory(signing.Options{})
	b := signing.NewMemory(signing.Options{})
	for _, k := range []*signing.Keyring{a, b} {
		if err := k.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ka, _ := a.PublicKeys(ctx)
	kb, _ := b.PublicKeys(ctx)
	fa, _ := peers.Fingerprint(ka)
	fb, _ := peers.Fingerprint(kb)
	both1, _ := peers.Fingerprint(verify.NewKeySet(append(ka.Keys(), kb.Keys()...)...))
	both2, _ := peers.Fingerprint(verify.NewKeySet(append(kb.Keys(), ka.Keys()...)...))
	if fa == fb || both1 != both2 || both1 == fa {
		t.Fatalf("fingerprints %s %s %s %s", fa, fb, both1, both2)
	}
	// The kid a JWKS claims does not matter, only the key.
	renamed := verify.NewKeySet(verify.Key{ID: "other", Public: ka.Keys()[0].Public})
	if fr, _ := peers.Fingerprint(renamed); fr != fa {
		t.Fatalf("renamed kid changed the fingerprint: %s vs %s", fr, fa)
	}
}

// replace returns an edit that replaces the first old with new, and fails
// loudly (an unedited document) when there is no old.
func replace(old, new string) func([]byte) []byte {
	return func(b []byte) []byte {
		if !strings.Contains(string(b), old) {
			return []byte("no " + old + " in " + string(b))
		}
		return []byte(strings.Replace(string(b), old, new, 1))
	}
}
