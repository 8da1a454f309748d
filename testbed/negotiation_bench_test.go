package testbed_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// BenchmarkNegotiationTurn is the node's own overhead per negotiation turn
// between two nodes on loopback, with a zero-latency agent (issue 10): a
// peer signs an open envelope and POSTs it; the node verifies it against
// the pinned keys, checks replay, records the negotiation and the turn
// with its answer's lease (on PostgreSQL in one statement), 202; the
// answer — a signed reject sent back to the peer — then runs in the
// node's local lane, started from a timer just after the 202 (a River
// job when no slot is free). Next to it, in
// the same run, the baseline: one signed POST whose receiver verifies the
// signature and does one insert. The peer sends its next turn once the
// node's answer reached it, as in an exchange, so no answer runs beside
// a measured turn. Reported per contender: p50 and p99 in µs, how long
// the answer took to reach the peer after the 202 (answer-p50/p99-µs),
// and ratio = base-p50 / node-p50 (target ≥ 0.5).
func BenchmarkNegotiationTurn(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchNegotiationTurn(b, d) })
	}
}

// benchSigner signs like a peer node's keyring: EdDSA, kid, iat, typ.
type benchSigner struct {
	priv ed25519.PrivateKey
	kid  string
}

func (s benchSigner) SignCompact(_ context.Context, payload []byte, headers map[string]any) (string, error) {
	opts := (&jose.SignerOptions{}).WithHeader(verify.ParamIssuedAt, time.Now().Unix())
	for k, v := range headers {
		opts.WithHeader(jose.HeaderKey(k), v)
	}
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: s.priv, KeyID: s.kid}}, opts)
	if err != nil {
		return "", err
	}
	obj, err := sg.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func benchNegotiationTurn(b *testing.B, dialect string) {
	ctx := context.Background()
	// The peer's inbox: answers every envelope the node sends back, and
	// tells when each arrived.
	answered := make(chan time.Time, 16)
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		answered <- time.Now()
	}))
	b.Cleanup(inbox.Close)
	n := testbed.Start(b, node.Config{DatabaseURL: storetest.URLTB(b, dialect), PeerAllowHosts: []string{"127.0.0.1"}})
	c := testbed.Workspace(b, n.DB(), workspace.Owner, access.KeyParams{})
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer := benchSigner{priv: priv, kid: "bench-key"}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: signer.kid, Algorithm: "EdDSA", Use: "sig"}}})
	const peerID = "node_bench_peer"
	now := store.Micros(time.Now())
	if _, err := n.DB().Exec(ctx, `INSERT INTO peers (id, workspace_id, node_id, name, base_url, jwks, fingerprint, scopes, max_usd, max_turns, created_at, updated_at)
		VALUES (?, ?, ?, 'Bench', ?, ?, 'bench', '[]', 1000000, 10, ?, ?)`, store.NewID(), c.WorkspaceID, peerID, inbox.URL, string(jwks), now, now); err != nil {
		b.Fatal(err)
	}

	// The baseline's receiver: verify the signature, insert one row.
	keys, err := verify.ParseJWKS(jwks)
	if err != nil {
		b.Fatal(err)
	}
	bdb, err := store.Open(ctx, storetest.URLTB(b, dialect))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bdb.Close() })
	if _, err := bdb.Exec(ctx, `CREATE TABLE bench_turns (id TEXT PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	base := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, negotiation.MaxEnvelope))
		v, err := verify.Compact(r.Context(), keys, string(body), time.Now())
		if err == nil {
			_, err = bdb.Exec(r.Context(), `INSERT INTO bench_turns (id, body) VALUES (?, ?)`, store.NewID(), string(v.Payload))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	b.Cleanup(base.Close)

	client := &http.Client{}
	turn := func(target string) (time.Duration, error) {
		t0 := time.Now()
		env := negotiation.Envelope{V: negotiation.Version, NegotiationID: "neg_" + store.NewID(), Seq: 1, From: peerID, To: n.NodeID(),
			IssuedAt: time.Now().Unix(), ExpiresAt: time.Now().Add(5 * time.Minute).Unix(), Nonce: negotiation.NewNonce(),
			Type: negotiation.TypeOpen, Body: negotiation.Body{Text: "every contact in London"}, Budget: negotiation.Budget{Cap: 1000000}}
		token, err := negotiation.Sign(ctx, signer, env)
		if err != nil {
			return 0, err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader([]byte(token)))
		req.Header.Set("Content-Type", negotiation.ContentType)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return 0, fmt.Errorf("%s answered %s", target, resp.Status)
		}
		return time.Since(t0), nil
	}
	var nodeT, baseT, answerT []time.Duration
	b.ResetTimer()
	for range b.N {
		d, err := turn(n.URL() + negotiation.MessagesPath)
		if err != nil {
			b.Fatal(err)
		}
		nodeT = append(nodeT, d)
		// The peer's next turn comes after the node's answer, as in an
		// exchange: nothing of this turn runs beside the next one's.
		accepted := time.Now()
		select {
		case at := <-answered:
			answerT = append(answerT, at.Sub(accepted))
		case <-time.After(30 * time.Second):
			b.Fatal("the node's answer never reached the peer")
		}
		if d, err = turn(base.URL); err != nil {
			b.Fatal(err)
		}
		baseT = append(baseT, d)
	}
	b.StopTimer()
	pct := func(v []time.Duration, p float64) float64 {
		slices.Sort(v)
		return float64(v[min(len(v)-1, int(float64(len(v))*p))].Microseconds())
	}
	np50, np99, bp50, bp99 := pct(nodeT, .5), pct(nodeT, .99), pct(baseT, .5), pct(baseT, .99)
	b.ReportMetric(np50, "node-p50-µs")
	b.ReportMetric(np99, "node-p99-µs")
	b.ReportMetric(bp50, "base-p50-µs")
	b.ReportMetric(bp99, "base-p99-µs")
	// How long after the 202 the answer reached the peer (the answer's
	// own work: agent, signature, record, send).
	b.ReportMetric(pct(answerT, .5), "answer-p50-µs")
	b.ReportMetric(pct(answerT, .99), "answer-p99-µs")
	if np50 > 0 {
		b.ReportMetric(bp50/np50, "ratio")
	}
}
