package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/webhook"
)

// receiver is the webhook receiver every webhook caller's key points at
// (/hooks/<caller>). It verifies each delivery both ways (JWS with the
// node's JWKS, Standard Webhooks with the key's secret), records every
// attempt, and plays the scenario's faults on first attempts.
type receiver struct {
	spec ReceiverSpec
	srv  *http.Server
	base string

	mu       sync.Mutex
	hooks    map[string]*hookState // by caller
	faulted  int                   // deliveries given a fault so far
	expected int                   // deliveries expected in all (for Fraction)
}

// hookState is one caller's view: its verifiers and what arrived.
type hookState struct {
	secret string
	keys   func(context.Context) (*verify.KeySet, error) // the nodes' JWKS, reloaded on a miss
	keysMu sync.Mutex
	cached *verify.KeySet
	// attempts by delivery id, in arrival order
	attempts map[string][]attempt
	// the conversation of each delivery id; deliveries per conversation
	byConv map[string][]string
	bad    []string // verification failures
	// delivered counts deliveries answered 2xx (each id once), for progress
	delivered int
}

// attempt is one HTTP request the receiver answered.
type attempt struct {
	At         time.Time     `json:"at"`
	Answer     int           `json:"answer"` // status given; 0 = timed out (no answer)
	RetryAfter time.Duration `json:"retry_after,omitempty"`
	Event      string        `json:"event"`
}

func startReceiver(spec ReceiverSpec) (*receiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runner: receiver: %w", err)
	}
	r := &receiver{spec: spec, hooks: map[string]*hookState{}, base: "http://" + l.Addr().String()}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(l) }()
	return r, nil
}

func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
	_ = r.srv.Close()
}

// add registers a caller's path.
func (r *receiver) add(caller, secret string, keys func(context.Context) (*verify.KeySet, error), deliveries int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hooks[caller] = &hookState{secret: secret, keys: keys, attempts: map[string][]attempt{}, byConv: map[string][]string{}}
	r.expected += deliveries
	return r.base + "/hooks/" + caller
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	caller := strings.TrimPrefix(req.URL.Path, "/hooks/")
	body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	r.mu.Lock()
	h := r.hooks[caller]
	r.mu.Unlock()
	if h == nil || err != nil {
		http.Error(w, "unknown hook", http.StatusNotFound)
		return
	}
	id, event, conv, problem := h.check(req, body)
	a := attempt{At: time.Now(), Answer: http.StatusNoContent, Event: event}

	r.mu.Lock()
	if problem != "" {
		h.bad = append(h.bad, problem)
	}
	first := len(h.attempts[id]) == 0
	var fault string
	if first && len(r.spec.Faults) > 0 && float64(r.faulted) < r.spec.Fraction*float64(r.expected) {
		fault = r.spec.Faults[r.faulted%len(r.spec.Faults)]
		r.faulted++
	}
	if first {
		h.byConv[conv] = append(h.byConv[conv], id)
	}
	switch fault {
	case "500":
		a.Answer = http.StatusInternalServerError
	case "retry_after":
		a.Answer, a.RetryAfter = http.StatusServiceUnavailable, r.spec.RetryAfter.Duration
	case "timeout":
		a.Answer = 0
	}
	if a.Answer >= 200 && a.Answer < 300 && !anyDelivered(h.attempts, []string{id}) {
		h.delivered++
	}
	h.attempts[id] = append(h.attempts[id], a)
	r.mu.Unlock()

	switch fault {
	case "timeout": // hold the request past the node's attempt timeout
		select {
		case <-req.Context().Done():
		case <-time.After(webhook.DefaultTimeout + 5*time.Second):
		}
		return
	case "retry_after":
		w.Header().Set("Retry-After", strconv.Itoa(int(a.RetryAfter/time.Second)))
	}
	w.WriteHeader(a.Answer)
}

// check verifies a delivery both ways and reads its ids; problem says
// what failed ("" when all verified).
func (h *hookState) check(req *http.Request, body []byte) (id, event, conv, problem string) {
	var hook struct {
		Event        string `json:"event"`
		DeliveryID   string `json:"delivery_id"`
		SignedReply  string `json:"signed_reply"`
		Conversation struct {
			ID string `json:"id"`
		} `json:"conversation"`
	}
	if err := json.Unmarshal(body, &hook); err != nil {
		return "", "", "", "body is not JSON: " + err.Error()
	}
	id, event, conv = hook.DeliveryID, hook.Event, hook.Conversation.ID
	if id == "" || req.Header.Get("Sois-Delivery-Id") != id || req.Header.Get("webhook-id") != id {
		return id, event, conv, fmt.Sprintf("delivery id %q differs from its headers", id)
	}
	ctx := req.Context()
	keys, err := h.keySet(ctx, false)
	if err != nil {
		return id, event, conv, "JWKS: " + err.Error()
	}
	v, err := verify.Detached(ctx, keys, req.Header.Get("Sois-Signature"), body, 0, time.Now())
	if err != nil { // a key this receiver has not seen yet: load the JWKS again
		if keys, err = h.keySet(ctx, true); err == nil {
			v, err = verify.Detached(ctx, keys, req.Header.Get("Sois-Signature"), body, 0, time.Now())
		}
	}
	if err != nil {
		return id, event, conv, "Sois-Signature: " + err.Error()
	}
	if v.DeliveryID != id {
		return id, event, conv, "Sois-Signature names delivery " + v.DeliveryID
	}
	if hook.SignedReply != "" {
		if _, _, err := verify.SignedReply(ctx, keys, hook.SignedReply, time.Now()); err != nil {
			return id, event, conv, "signed_reply: " + err.Error()
		}
	}
	wh, err := standardwebhooks.NewWebhook(h.secret)
	if err != nil {
		return id, event, conv, "webhook secret: " + err.Error()
	}
	if err := wh.Verify(body, req.Header); err != nil {
		return id, event, conv, "Standard Webhooks: " + err.Error()
	}
	return id, event, conv, ""
}

func (h *hookState) keySet(ctx context.Context, reload bool) (*verify.KeySet, error) {
	h.keysMu.Lock()
	defer h.keysMu.Unlock()
	if h.cached != nil && !reload {
		return h.cached, nil
	}
	ks, err := h.keys(ctx)
	if err != nil {
		return nil, err
	}
	h.cached = ks
	return ks, nil
}

// snapshot copies a caller's records.
func (r *receiver) snapshot(caller string) (attempts map[string][]attempt, byConv map[string][]string, bad []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.hooks[caller]
	attempts = make(map[string][]attempt, len(h.attempts))
	for k, v := range h.attempts {
		attempts[k] = append([]attempt(nil), v...)
	}
	byConv = make(map[string][]string, len(h.byConv))
	for k, v := range h.byConv {
		byConv[k] = append([]string(nil), v...)
	}
	return attempts, byConv, append([]string(nil), h.bad...)
}

// delivered is how many of a caller's deliveries were answered 2xx.
func (r *receiver) delivered(caller string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h := r.hooks[caller]; h != nil {
		return h.delivered
	}
	return 0
}
