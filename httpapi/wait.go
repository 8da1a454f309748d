package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/soisnode/soisnode/conversation"
)

// waiters wakes ?wait= requests when a turn stops. A turn may also stop on
// another node sharing the database, so waiting also re-reads the status
// every pollEvery. Only requests currently waiting hold memory here, at
// most maxWaiters of them; past that a request waits by polling alone.
type waiters struct {
	mu   sync.Mutex
	n    int
	subs map[string]map[chan struct{}]struct{}
}

// maxWaiters bounds the subscriptions held at once.
const maxWaiters = 10000

func newWaiters() *waiters { return &waiters{subs: map[string]map[chan struct{}]struct{}{}} }

func (w *waiters) subscribe(id string) (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	if w.n >= maxWaiters {
		w.mu.Unlock()
		return nil, func() {} // a nil channel never fires: poll only
	}
	w.n++
	if w.subs[id] == nil {
		w.subs[id] = map[chan struct{}]struct{}{}
	}
	w.subs[id][ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		w.n--
		delete(w.subs[id], ch)
		if len(w.subs[id]) == 0 {
			delete(w.subs, id)
		}
		w.mu.Unlock()
	}
}

// notify wakes everyone waiting on conversation id.
func (w *waiters) notify(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

const pollEvery = 250 * time.Millisecond

// WaitStopped waits until the conversation's latest turn stops or d
// passes, and returns the conversation as last read.
func (n *Server) WaitStopped(ctx context.Context, workspaceID, id string, d time.Duration) (conversation.Conversation, error) {
	ch, cancel := n.waiters.subscribe(id)
	defer cancel()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		c, err := conversation.Get(ctx, n.db, workspaceID, id)
		if err != nil || !c.Status.Active() {
			return c, err
		}
		select {
		case <-ctx.Done():
			return c, nil
		case <-deadline.C:
			return c, nil
		case <-ch:
		case <-tick.C:
		}
	}
}
