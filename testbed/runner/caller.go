package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// caller drives one CallerSpec: Count messages, Concurrency at a time,
// round-robin over its nodes, each POST carrying an Idempotency-Key so a
// retry after a lost response (or a killed node) never runs a turn twice.
type caller struct {
	spec  CallerSpec
	procs []*Proc
	creds creds
	count int
	conc  int
	keyID string

	started, finished time.Time
	done              chan struct{}

	sent, accepted, refusedN, stoppedN atomic.Int64

	mu       sync.Mutex
	convs    []string          // conversation id per message (index n-1); "" when refused
	final    []conversation    // final state per message (polling callers, and after wait)
	refusals []refusal         // non-2xx answers that ended a message
	lost     int               // responses thrown away (lose_every)
	mismatch []string          // a retried POST answered with another conversation
	errs     []string          // transport errors that outlived the retries
	latency  []time.Duration   // accepted → stopped (polling callers)
	acceptAt map[int]time.Time // when each message was accepted
}

// refusal is a POST /api/agent answer other than 2xx.
type refusal struct {
	N      int     `json:"n"`
	Status int     `json:"status"`
	Body   problem `json:"problem"`
}

func newCaller(spec CallerSpec, procs []*Proc, c creds, keyID, scale string) *caller {
	n := spec.Count.At(scale)
	return &caller{spec: spec, procs: procs, creds: c, keyID: keyID, count: n, conc: spec.Concurrency.At(scale),
		convs: make([]string, n), final: make([]conversation, n), acceptAt: map[int]time.Time{}, done: make(chan struct{})}
}

// message is the n-th message's text.
func (c *caller) message(n int) string {
	return strings.ReplaceAll(c.spec.Message, "$n", strconv.Itoa(n))
}

// run sends every message; it returns when each was accepted or refused
// (webhook) or has stopped (polling).
func (c *caller) run(ctx context.Context) {
	defer close(c.done)
	c.started = time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for range c.conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				c.one(ctx, n)
			}
		}()
	}
	for n := 1; n <= c.count; n++ {
		select {
		case next <- n:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	c.finished = time.Now()
}

// one sends message n and, for a polling caller, waits for its turn.
func (c *caller) one(ctx context.Context, n int) {
	body := map[string]any{"message": c.message(n), "metadata": map[string]any{"caller": c.spec.Name, "n": n}}
	key := fmt.Sprintf("%s-%d", c.spec.Name, n)
	c.sent.Add(1)
	status, b, err := c.post(ctx, n, body, key)
	if err == nil && c.spec.LoseEvery > 0 && n%c.spec.LoseEvery == 0 && status == http.StatusAccepted {
		// The response is lost on the way: send the same request again.
		first := convID(b)
		c.mu.Lock()
		c.lost++
		c.mu.Unlock()
		status, b, err = c.post(ctx, n, body, key)
		if err == nil && convID(b) != first {
			c.mu.Lock()
			c.mismatch = append(c.mismatch, fmt.Sprintf("message %d: %s then %s", n, first, convID(b)))
			c.mu.Unlock()
		}
	}
	if err != nil {
		c.mu.Lock()
		c.errs = append(c.errs, fmt.Sprintf("message %d: %v", n, err))
		c.mu.Unlock()
		return
	}
	if status != http.StatusAccepted && status != http.StatusOK {
		var p problem
		_ = json.Unmarshal(b, &p)
		c.refusedN.Add(1)
		c.mu.Lock()
		c.refusals = append(c.refusals, refusal{N: n, Status: status, Body: p})
		c.mu.Unlock()
		return
	}
	id := convID(b)
	c.accepted.Add(1)
	c.mu.Lock()
	c.convs[n-1] = id
	c.acceptAt[n] = time.Now()
	c.mu.Unlock()
	if c.spec.Kind == "polling" {
		cv, err := c.poll(ctx, id, 10*time.Minute)
		c.mu.Lock()
		if err != nil {
			c.errs = append(c.errs, fmt.Sprintf("message %d: %v", n, err))
		} else {
			c.final[n-1] = cv
			c.latency = append(c.latency, time.Since(c.acceptAt[n]))
		}
		c.mu.Unlock()
		if err == nil {
			c.stoppedN.Add(1)
		}
	}
}

// post sends the message to a live node, moving on to the next node (and
// trying again, same Idempotency-Key) when one does not answer or is
// overloaded.
func (c *caller) post(ctx context.Context, n int, body map[string]any, key string) (int, []byte, error) {
	deadline := time.Now().Add(3 * time.Minute)
	var last error
	for i := 0; time.Now().Before(deadline); i++ {
		p := c.procs[(n+i)%len(c.procs)]
		status, hdr, b, err := call(ctx, "POST", p.Base+"/api/agent", c.creds, body, "Idempotency-Key", key)
		switch {
		case ctx.Err() != nil:
			return 0, nil, ctx.Err()
		case err != nil:
			last = err
		case status == http.StatusServiceUnavailable:
			last = fmt.Errorf("503 from %s (Retry-After %s)", p.Name, hdr.Get("Retry-After"))
		default:
			return status, b, nil
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond): // a node is down or busy: back off before the next one
		}
	}
	return 0, nil, fmt.Errorf("no node took the message within 3m: %w", last)
}

// poll long-polls conversation id on any live node until it stops.
func (c *caller) poll(ctx context.Context, id string, within time.Duration) (conversation, error) {
	return pollConversation(ctx, c.procs, c.creds, id, within)
}

// pollConversation long-polls id on procs (the first that answers) until
// its turn stops.
func pollConversation(ctx context.Context, procs []*Proc, cr creds, id string, within time.Duration) (conversation, error) {
	deadline := time.Now().Add(within)
	var cv conversation
	for i := 0; time.Now().Before(deadline); i++ {
		p := procs[i%len(procs)]
		status, _, b, err := call(ctx, "GET", p.Base+"/api/agent/conversations/"+id+"?wait=10", cr, nil)
		if ctx.Err() != nil {
			return cv, ctx.Err()
		}
		if err == nil && status == http.StatusOK {
			cv = conversation{}
			if err := json.Unmarshal(b, &cv); err != nil {
				return cv, fmt.Errorf("conversation %s: %w", id, err)
			}
			if cv.stopped() {
				return cv, nil
			}
			continue
		}
		if err == nil && status != http.StatusServiceUnavailable {
			return cv, fmt.Errorf("GET conversation %s: %d %s", id, status, b)
		}
		select {
		case <-ctx.Done():
			return cv, ctx.Err()
		case <-time.After(100 * time.Millisecond): // the node is down: try the next
		}
	}
	return cv, fmt.Errorf("conversation %s still %q after %v", id, cv.Status, within)
}

func convID(b []byte) string {
	var a struct {
		ConversationID string `json:"conversation_id"`
		ID             string `json:"id"`
	}
	_ = json.Unmarshal(b, &a)
	if a.ConversationID != "" {
		return a.ConversationID
	}
	return a.ID
}

// settle waits for every accepted conversation to stop and records it.
func (c *caller) settle(ctx context.Context, within time.Duration) error {
	<-c.done
	for i, id := range c.convs {
		if id == "" || c.final[i].stopped() {
			continue
		}
		cv, err := c.poll(ctx, id, within)
		if err != nil {
			return fmt.Errorf("caller %s: %w", c.spec.Name, err)
		}
		c.mu.Lock()
		c.final[i] = cv
		c.mu.Unlock()
		c.stoppedN.Add(1)
	}
	return nil
}
