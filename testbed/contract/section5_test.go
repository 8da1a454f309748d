package contract_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/testbed/poll"
)

// delivery is one webhook request as the receiver saw it.
type delivery struct {
	Header http.Header
	Body   []byte
	At     time.Time
}

// receiver records webhook deliveries and answers with the statuses given
// per path, in order (the last one repeats; 200 by default).
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	got     map[string][]delivery
	answers map[string][]int
	notify  chan string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{got: map[string][]delivery{}, answers: map[string][]int{}, notify: make(chan string, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got[r.URL.Path] = append(rc.got[r.URL.Path], delivery{r.Header.Clone(), body, time.Now()})
		code := http.StatusOK
		if as := rc.answers[r.URL.Path]; len(as) > 0 {
			code = as[0]
			if len(as) > 1 {
				rc.answers[r.URL.Path] = as[1:]
			}
		}
		rc.mu.Unlock()
		if code >= 300 && code < 400 {
			w.Header().Set("Location", rc.srv.URL+"/elsewhere")
		}
		w.WriteHeader(code)
		select {
		case rc.notify <- r.URL.Path:
		default:
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) answer(path string, codes ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.answers[path] = codes
}

func (rc *receiver) deliveries(path string) []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got[path]...)
}

// wait returns the deliveries to path once there are at least n.
func (rc *receiver) wait(t *testing.T, path string, n int, timeout time.Duration) []delivery {
	t.Helper()
	if !poll.Until(timeout, func() bool { return len(rc.deliveries(path)) >= n }) {
		t.Fatalf("%s: %d deliveries after %v, want %d", path, len(rc.deliveries(path)), timeout, n)
	}
	return rc.deliveries(path)
}

// jwks fetches and parses the node's key set with go-jose.
func (n *node) jwks(t *testing.T) jose.JSONWebKeySet {
	t.Helper()
	r := request(t, "GET", n.URL+"/.well-known/jwks.json", nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /.well-known/jwks.json = %s", r)
	}
	var set jose.JSONWebKeySet
	r.json(t, &set)
	return set
}

func keyFor(t *testing.T, set jose.JSONWebKeySet, kid string) ed25519.PublicKey {
	t.Helper()
	ks := set.Key(kid)
	if len(ks) != 1 {
		t.Fatalf("kid %q: %d keys in the JWKS", kid, len(ks))
	}
	pub, ok := ks[0].Key.(ed25519.PublicKey)
	if !ok {
		t.Fatalf("kid %q is a %T, want Ed25519", kid, ks[0].Key)
	}
	return pub
}

// verifyCompact verifies a compact JWS with go-jose, EdDSA only, and
// returns its protected header and payload.
func verifyCompact(t *testing.T, set jose.JSONWebKeySet, token string) (jose.Header, []byte) {
	t.Helper()
	sig, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatalf("parse JWS: %v", err)
	}
	h := sig.Signatures[0].Protected
	payload, err := sig.Verify(keyFor(t, set, h.KeyID))
	if err != nil {
		t.Fatalf("verify JWS: %v", err)
	}
	return h, payload
}

// checkWebhook verifies both signatures of one delivery like an outside
// receiver: the detached JWS in Sois-Signature (RFC 7515 appendix F) with
// go-jose, and the Standard Webhooks v1a signature with crypto/ed25519.
// It returns the delivery id.
func checkWebhook(t *testing.T, set jose.JSONWebKeySet, d delivery) string {
	t.Helper()
	id := d.Header.Get("Sois-Delivery-Id")
	if id == "" || d.Header.Get("Sois-Event") == "" {
		t.Errorf("missing Sois-Delivery-Id or Sois-Event: %v", d.Header)
	}
	if ct := d.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("webhook Content-Type = %q", ct)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(d.Body, &body); err != nil {
		t.Fatalf("webhook body is not JSON: %v", err)
	}
	var event, bodyID string
	_ = json.Unmarshal(body["event"], &event)
	_ = json.Unmarshal(body["delivery_id"], &bodyID)
	if event != d.Header.Get("Sois-Event") || bodyID != id {
		t.Errorf("body event/delivery_id %q/%q, headers %q/%q", event, bodyID, d.Header.Get("Sois-Event"), id)
	}

	// Sois-Signature: <protected>..<signature> over the exact body.
	s := d.Header.Get("Sois-Signature")
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[1] != "" {
		t.Fatalf("Sois-Signature is not a detached compact JWS: %q", s)
	}
	full := parts[0] + "." + base64.RawURLEncoding.EncodeToString(d.Body) + "." + parts[2]
	sig, err := jose.ParseSigned(full, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatalf("parse Sois-Signature: %v", err)
	}
	h := sig.Signatures[0].Protected
	if _, err := sig.Verify(keyFor(t, set, h.KeyID)); err != nil {
		t.Errorf("Sois-Signature does not verify over the body: %v", err)
	}
	if ds, err := jose.ParseDetached(s, d.Body, []jose.SignatureAlgorithm{jose.EdDSA}); err != nil {
		t.Errorf("go-jose ParseDetached: %v", err)
	} else if _, err := ds.Verify(keyFor(t, set, h.KeyID)); err != nil {
		t.Errorf("go-jose detached verify: %v", err)
	}
	if h.Algorithm != "EdDSA" || h.KeyID == "" {
		t.Errorf("protected header alg %q kid %q", h.Algorithm, h.KeyID)
	}
	if typ, _ := h.ExtraHeaders["typ"].(string); typ == "" {
		t.Errorf("protected header has no typ: %+v", h.ExtraHeaders)
	}
	iat, ok := h.ExtraHeaders["iat"].(float64)
	if !ok {
		t.Errorf("protected header has no numeric iat: %+v", h.ExtraHeaders)
	} else if age := time.Since(time.Unix(int64(iat), 0)); age > 5*time.Minute || age < -time.Minute {
		t.Errorf("iat is %v old", age)
	}
	if did, _ := h.ExtraHeaders["delivery_id"].(string); did != id {
		t.Errorf("protected header delivery_id = %q, want %q", did, id)
	}
	// A changed body fails.
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(append(append([]byte(nil), d.Body...), ' ')) + "." + parts[2]
	if ts, err := jose.ParseSigned(tampered, []jose.SignatureAlgorithm{jose.EdDSA}); err == nil {
		if _, err := ts.Verify(keyFor(t, set, h.KeyID)); err == nil {
			t.Errorf("a changed body still verifies")
		}
	}

	// Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature v1a.
	wid, wts, wsig := d.Header.Get("webhook-id"), d.Header.Get("webhook-timestamp"), d.Header.Get("webhook-signature")
	if wid != id {
		t.Errorf("webhook-id = %q, want the delivery id %q", wid, id)
	}
	ts, err := strconv.ParseInt(wts, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		t.Errorf("webhook-timestamp = %q", wts)
	}
	signed := []byte(wid + "." + wts + "." + string(d.Body))
	verified := false
	for _, entry := range strings.Fields(wsig) {
		version, b64, ok := strings.Cut(entry, ",")
		if !ok || version != "v1a" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Errorf("webhook-signature entry is not standard base64: %q", entry)
			continue
		}
		for _, k := range set.Keys {
			if pub, ok := k.Key.(ed25519.PublicKey); ok && ed25519.Verify(pub, signed, raw) {
				verified = true
			}
		}
	}
	if !verified {
		t.Errorf("no v1a entry of webhook-signature %q verifies with a JWKS key", wsig)
	}
	return id
}

// DESIGN §5: signing.
func TestSection5Signing(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	n := startNode(t, "SOIS_WEBHOOK_ALLOW_HOSTS=127.0.0.1")
	c := n.initWorkspace(t)

	var set jose.JSONWebKeySet
	t.Run("JWKS at /.well-known/jwks.json: Ed25519 keys with kids", func(t *testing.T) {
		r := request(t, "GET", n.URL+"/.well-known/jwks.json", nil, nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "json") {
			t.Fatalf("%s (%s)", r, r.Header.Get("Content-Type"))
		}
		var raw struct {
			Keys []map[string]any `json:"keys"`
		}
		r.json(t, &raw)
		if len(raw.Keys) == 0 {
			t.Fatal("no keys")
		}
		for _, k := range raw.Keys {
			if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["alg"] != "EdDSA" || k["kid"] == nil || k["x"] == nil {
				t.Errorf("key %v", k)
			}
			if _, ok := k["d"]; ok {
				t.Errorf("the JWKS publishes a private key")
			}
		}
		set = n.jwks(t)
	})

	var cv conv
	t.Run("signed_reply: compact JWS with the documented payload", func(t *testing.T) {
		cv = n.send(t, c.auth(), map[string]any{"message": "Create a contact for Sig Ned, sig@example.com"})
		h, payload := verifyCompact(t, set, cv.SignedReply)
		if h.Algorithm != "EdDSA" {
			t.Errorf("alg %q", h.Algorithm)
		}
		var p map[string]json.RawMessage
		if err := json.Unmarshal(payload, &p); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range p {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []string{"actions", "conversation_id", "cost_usd", "iat", "iss", "reply", "status", "turn"}
		if strings.Join(keys, ",") != strings.Join(want, ",") {
			t.Errorf("payload fields %v, want %v", keys, want)
		}
		var got struct {
			Iss            string   `json:"iss"`
			ConversationID string   `json:"conversation_id"`
			Turn           int      `json:"turn"`
			Status         string   `json:"status"`
			Reply          string   `json:"reply"`
			Actions        []action `json:"actions"`
			CostUSD        string   `json:"cost_usd"`
			Iat            int64    `json:"iat"`
		}
		if err := json.Unmarshal(payload, &got); err != nil {
			t.Fatalf("payload types: %v (%s)", err, payload)
		}
		if got.Iss == "" || got.ConversationID != cv.ID || got.Turn != 1 || got.Status != cv.Status || got.Reply != cv.Reply ||
			got.CostUSD != cv.CostUSD || len(got.Actions) != 1 || got.Actions[0].Tool != "contacts_create" || time.Since(time.Unix(got.Iat, 0)).Abs() > 5*time.Minute {
			t.Errorf("payload %s does not match the conversation %+v", payload, cv)
		}
	})

	t.Run("webhook: Sois-Signature, Sois-Delivery-Id, Sois-Event and Standard Webhooks headers", func(t *testing.T) {
		k := n.keyCreate(t, c.WorkspaceID, "--response-url", rc.srv.URL+"/s5")
		n.send(t, auth{c.Token, k}, map[string]any{"message": "List all contacts"})
		ds := rc.wait(t, "/s5", 1, 30*time.Second)
		checkWebhook(t, set, ds[0])

		// soisnode verify, as a receiver would run it.
		dir := t.TempDir()
		body := filepath.Join(dir, "body.json")
		if err := os.WriteFile(body, ds[0].Body, 0o600); err != nil {
			t.Fatal(err)
		}
		jwksURL := n.URL + "/.well-known/jwks.json"
		out, errOut, code := n.cli(t, "verify", "--jwks", jwksURL, "--signature", ds[0].Header.Get("Sois-Signature"), "--body", body)
		if code != 0 {
			t.Errorf("verify: exit %d %s%s", code, out, errOut)
		}
		if err := os.WriteFile(body, append(ds[0].Body, '\n'), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, code := n.cli(t, "verify", "--jwks", jwksURL, "--signature", ds[0].Header.Get("Sois-Signature"), "--body", body); code == 0 {
			t.Errorf("verify accepted a changed body")
		}
		// And a signed_reply, from a JWKS file.
		jf := filepath.Join(dir, "jwks.json")
		if err := os.WriteFile(jf, request(t, "GET", jwksURL, nil, nil).Body, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, errOut, code := n.cli(t, "verify", "--jwks", jf, "--signature", cv.SignedReply); code != 0 {
			t.Errorf("verify signed_reply: exit %d %s%s", code, out, errOut)
		}
		if _, _, code := n.cli(t, "verify", "--jwks", jf); code == 0 {
			t.Errorf("verify without --signature succeeded")
		}
	})
}
