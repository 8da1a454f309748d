package webhook_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/webhook"
)

// webhookClients is how many deliveries are in flight at once, for every
// contender: the Dispatcher's default batch.
const webhookClients = 16

// BenchmarkWebhookDelivery measures signed webhook deliveries per second
// to a receiver on loopback (which reads the body and answers 204), on
// SQLite and PostgreSQL, three ways in the same run, alternating in
// rounds:
//
//   - node: the durable path, webhook.Dispatcher.RunOnce until nothing is
//     due: lease due rows from the database (deliveries enqueued before
//     the round, untimed), sign them (Sois-Signature detached JWS and the
//     Standard Webhooks signature), POST them through the guarded Sender,
//     and record each attempt and outcome in a transaction;
//   - sender: the same signatures and webhook.Sender.Deliver, without the
//     database (what durability costs is node vs sender);
//   - base: bare go-jose and crypto/ed25519 for the same two signatures
//     and a bare net/http client for the same POST, fire and forget.
//
// Each has webhookClients deliveries in flight.
//
// Metrics: node-ops/s (durable deliveries/s), sender-ops/s, base-ops/s,
// ratio (node/base), ratio-sender (sender/base), peak-RSS-MB (this
// process, with the receiver in it).
func BenchmarkWebhookDelivery(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchDelivery(b, d) })
	}
}

func benchDelivery(b *testing.B, dialect string) {
	ctx := context.Background()
	_ = testbed.ResetPeak(0)
	db := storetest.Open(b, storetest.URLTB(b, dialect))
	if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, "ws1", "Acme", 0); err != nil {
		b.Fatal(err)
	}
	keys := signing.NewMemory(signing.Options{})
	if err := keys.Ensure(ctx); err != nil {
		b.Fatal(err)
	}
	var received, unsigned atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get(verify.HeaderSignature) == "" || r.Header.Get(verify.HeaderWebhookSignature) == "" {
			unsigned.Add(1)
		}
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(recv.Close)
	url := recv.URL + "/hook"
	guard := webhook.Guard{AllowHosts: []string{"127.0.0.1"}}
	sender := webhook.NewSender(guard, 0)
	d, err := webhook.NewDispatcher(webhook.Config{
		DB: db, Signer: keys, Guard: guard, Sender: sender, Workers: webhookClients, PerOrigin: webhookClients,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	sample, err := newDelivery(url)
	if err != nil {
		b.Fatal(err)
	}
	body := sample.Body

	// sender: the package's signatures and Sender, no database.
	senderOp := func(ctx context.Context) error {
		id := store.NewID()
		sig, err := keys.SignWebhook(ctx, id, body)
		if err != nil {
			return err
		}
		at := time.Now()
		std, err := keys.SignStandard(ctx, id, at, body)
		if err != nil {
			return err
		}
		h := http.Header{}
		h.Set(verify.HeaderSignature, sig)
		h.Set(verify.HeaderDeliveryID, id)
		h.Set(verify.HeaderEvent, webhook.EventCompleted)
		h.Set(verify.HeaderWebhookID, id)
		h.Set(verify.HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
		h.Set(verify.HeaderWebhookSignature, std)
		if res := sender.Deliver(ctx, webhook.Request{URL: url, Body: body, Header: h}); !res.OK() {
			return fmt.Errorf("sender: status %d, %v", res.Status, res.Err)
		}
		return nil
	}
	baseOp := bareDelivery(b, url, body)

	rounds := 6
	res := []testbed.Result{{Name: "node"}, {Name: "sender"}, {Name: "base"}}
	b.ResetTimer()
	for r := range rounds {
		ops := b.N / rounds
		if r == rounds-1 {
			ops = b.N - ops*(rounds-1)
		}
		if ops == 0 {
			continue
		}
		b.StopTimer()
		if err := enqueue(ctx, db, url, ops); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for k := range res {
			i := (r + k) % len(res)
			var elapsed time.Duration
			switch res[i].Name {
			case "node":
				before := received.Load()
				start := time.Now()
				for {
					n, err := d.RunOnce(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						break
					}
				}
				elapsed = time.Since(start)
				if got := received.Load() - before; got != int64(ops) {
					b.Fatalf("dispatcher delivered %d of %d", got, ops)
				}
			case "sender":
				elapsed, err = testbed.Load(ctx, ops, webhookClients, senderOp)
			case "base":
				elapsed, err = testbed.Load(ctx, ops, webhookClients, baseOp)
			}
			if err != nil {
				b.Fatalf("%s: %v", res[i].Name, err)
			}
			res[i].Ops += ops
			res[i].Elapsed += elapsed
			res[i].Rounds = append(res[i].Rounds, elapsed)
		}
	}
	b.StopTimer()
	if n := unsigned.Load(); n > 0 {
		b.Fatalf("%d deliveries arrived without signatures", n)
	}
	var delivered int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE status = 'delivered'`).Scan(&delivered); err != nil {
		b.Fatal(err)
	}
	if delivered != res[0].Ops {
		b.Fatalf("%d deliveries recorded as delivered, want %d", delivered, res[0].Ops)
	}
	node, snd, base := res[0], res[1], res[2]
	b.ReportMetric(node.NsPerOp(), "ns/op")
	b.ReportMetric(node.OpsPerSec(), "node-ops/s")
	b.ReportMetric(snd.OpsPerSec(), "sender-ops/s")
	b.ReportMetric(base.OpsPerSec(), "base-ops/s")
	b.ReportMetric(testbed.Ratio(node, base), "ratio")
	b.ReportMetric(testbed.Ratio(snd, base), "ratio-sender")
	testbed.ReportPeak(b)
}

// newDelivery is a conversation.completed delivery of typical size.
func newDelivery(url string) (webhook.Delivery, error) {
	conv := map[string]any{
		"id": "01JD7X3K9Q6M2B5V8N4R0T1W2Z", "status": "completed",
		"turns": []map[string]any{{"turn": 1, "message": testbed.StandardMessage,
			"reply": "Contact created: Jane Doe (CEO, Acme Corp, jane@acme.com).", "status": "completed",
			"actions":  []map[string]any{{"tool": "contacts_create", "ok": true, "ref": "contact/01JD7X3K9Q6M2B5V8N4R0T1W30", "summary": "Created contact Jane Doe"}},
			"cost_usd": "0.000412", "started_at": "2030-01-02T03:04:05Z", "finished_at": "2030-01-02T03:04:06Z"}},
		"reply":    "Contact created: Jane Doe (CEO, Acme Corp, jane@acme.com).",
		"cost_usd": "0.000412", "metadata": map[string]any{"ticket": 7},
		"created_at": "2030-01-02T03:04:05Z", "updated_at": "2030-01-02T03:04:06Z",
	}
	reply := "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIiwidHlwIjoic29pcy1yZXBseStqd3MifQ.eyJpc3MiOiJub2RlLTEifQ." +
		"c2lnbmF0dXJlLXBsYWNlaG9sZGVyLXNpZ25hdHVyZS1wbGFjZWhvbGRlcg"
	return webhook.NewDelivery("ws1", "key1", webhook.EventCompleted, url, webhook.Payload{Conversation: conv, SignedReply: reply})
}

// enqueue commits n due deliveries to url.
func enqueue(ctx context.Context, db *store.DB, url string, n int) error {
	return db.InTx(ctx, func(tx store.Tx) error {
		for range n {
			d, err := newDelivery(url)
			if err != nil {
				return err
			}
			d.CreatedAt = time.Now().Add(-time.Second)
			if err := webhook.Enqueue(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// bareDelivery is the baseline: the same two signatures with go-jose and
// crypto/ed25519 and the same POST with a bare net/http client.
func bareDelivery(b *testing.B, url string, body []byte) func(context.Context) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	client := testbed.NewHTTPClient(webhookClients)
	return func(ctx context.Context) error {
		id := store.NewID()
		at := time.Now()
		opts := (&jose.SignerOptions{}).WithHeader("iat", at.Unix()).WithType(verify.TypeWebhook).WithHeader(verify.ParamDeliveryID, id)
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: "k1", Algorithm: "EdDSA"}}, opts)
		if err != nil {
			return err
		}
		obj, err := signer.Sign(body)
		if err != nil {
			return err
		}
		sig, err := obj.DetachedCompactSerialize()
		if err != nil {
			return err
		}
		ts := strconv.FormatInt(at.Unix(), 10)
		std := "v1a," + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, verify.StandardContent(id, at.Unix(), body)))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(verify.HeaderSignature, sig)
		req.Header.Set(verify.HeaderDeliveryID, id)
		req.Header.Set(verify.HeaderEvent, webhook.EventCompleted)
		req.Header.Set(verify.HeaderWebhookID, id)
		req.Header.Set(verify.HeaderWebhookTimestamp, ts)
		req.Header.Set(verify.HeaderWebhookSignature, std)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return errors.New("base: status " + resp.Status)
		}
		return nil
	}
}

// BenchmarkWebhookSlowReceiver measures durable, signed deliveries per
// second through webhook.Dispatcher.Run (its worker pool, 16 workers, at
// most 4 per origin) to ten receivers on loopback, on SQLite and
// PostgreSQL, two ways alternating in rounds:
//
//   - none: all ten answer 204 at once;
//   - slow: one of the ten holds every request until the round ends (a
//     receiver that hangs), while the other nine answer at once.
//
// Each round enqueues (untimed) b.N deliveries to the fast receivers,
// interleaved with deliveries to the tenth, oldest first, and times how
// long the fast ones take to be delivered and recorded.
//
// Metrics: node-ops/s (deliveries/s to the nine while the tenth hangs),
// base-ops/s (deliveries/s with no slow receiver), ratio (node/base: 1
// means the hanging receiver costs the others nothing). The names fit
// make bench's summary, where the baseline is the same node without the
// slow receiver.
func BenchmarkWebhookSlowReceiver(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchSlowReceiver(b, d) })
	}
}

func benchSlowReceiver(b *testing.B, dialect string) {
	ctx := context.Background()
	db := storetest.Open(b, storetest.URLTB(b, dialect))
	if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, "ws1", "Acme", 0); err != nil {
		b.Fatal(err)
	}
	keys := signing.NewMemory(signing.Options{})
	if err := keys.Ensure(ctx); err != nil {
		b.Fatal(err)
	}
	var delivered, target atomic.Int64
	reached := make(chan struct{}, 1)
	fast := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
		if delivered.Add(1) == target.Load() {
			reached <- struct{}{}
		}
	})
	var release atomic.Pointer[chan struct{}]
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-*release.Load():
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusNoContent)
	})
	var fastURLs []string
	for range 10 {
		srv := httptest.NewServer(fast)
		b.Cleanup(srv.Close)
		fastURLs = append(fastURLs, srv.URL+"/hook")
	}
	slowSrv := httptest.NewServer(slow)
	b.Cleanup(slowSrv.Close)
	guard := webhook.Guard{AllowHosts: []string{"127.0.0.1"}}
	sender := webhook.NewSender(guard, time.Minute)
	payload := webhook.Payload{Conversation: map[string]any{"id": "conv_1", "status": "completed", "reply": "Done."}, SignedReply: "x.y.z"}

	round := func(withSlow bool) time.Duration {
		b.Helper()
		if _, err := db.Exec(ctx, `DELETE FROM delivery_attempts`); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(ctx, `DELETE FROM deliveries`); err != nil {
			b.Fatal(err)
		}
		err := db.InTx(ctx, func(tx store.Tx) error {
			for i, n := 0, 0; n < b.N; i++ {
				url := fastURLs[i%10]
				if withSlow && i%10 == 9 {
					url = slowSrv.URL + "/hook"
				} else {
					n++
				}
				d, err := webhook.NewDelivery("ws1", "key1", webhook.EventCompleted, url, payload)
				if err != nil {
					return err
				}
				if err := webhook.Enqueue(ctx, tx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		ch := make(chan struct{})
		release.Store(&ch)
		delivered.Store(0)
		target.Store(int64(b.N))
		d, err := webhook.NewDispatcher(webhook.Config{DB: db, Signer: keys, Guard: guard, Sender: sender,
			Poll: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		ran := make(chan struct{})
		start := time.Now()
		go func() { defer close(ran); _ = d.Run(ctx) }()
		select {
		case <-reached:
		case <-time.After(10 * time.Minute):
			b.Fatalf("%d of %d deliveries arrived", delivered.Load(), b.N)
		}
		elapsed := time.Since(start)
		close(ch)
		if err := d.Stop(ctx); err != nil {
			b.Fatal(err)
		}
		<-ran
		return elapsed
	}

	b.ResetTimer()
	var none, withSlow time.Duration
	const rounds = 2
	for range rounds {
		none += round(false)
		withSlow += round(true)
	}
	b.StopTimer()
	noneRate := float64(rounds*b.N) / none.Seconds()
	slowRate := float64(rounds*b.N) / withSlow.Seconds()
	b.ReportMetric(slowRate, "node-ops/s")
	b.ReportMetric(noneRate, "base-ops/s")
	b.ReportMetric(slowRate/noneRate, "ratio")
}
