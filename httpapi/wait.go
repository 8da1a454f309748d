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
//
// A turn finished by this process's runner hands its waiters the
// conversation as the finishing transaction read it back (finished), so a
// request waiting on that turn answers without reading it again.
type waiters struct {
	mu   sync.Mutex
	n    int
	subs map[string]map[*waitSub]struct{}
}

// waitSub is one waiting request's subscription to a conversation.
type waitSub struct {
	id string
	ch chan struct{}
	// conv is the conversation as a finished turn left it, when the
	// latest wake-up came with it (guarded by waiters.mu).
	conv *conversation.Conversation
}

// maxWaiters bounds the subscriptions held at once.
const maxWaiters = 10000

func newWaiters() *waiters { return &waiters{subs: map[string]map[*waitSub]struct{}{}} }

// subscribe subscribes to conversation id's stops; nil past maxWaiters
// (the request then waits by polling alone). Cancel it when done.
func (w *waiters) subscribe(id string) *waitSub {
	s := &waitSub{id: id, ch: make(chan struct{}, 1)}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n >= maxWaiters {
		return nil
	}
	w.n++
	if w.subs[id] == nil {
		w.subs[id] = map[*waitSub]struct{}{}
	}
	w.subs[id][s] = struct{}{}
	return s
}

// cancel ends a subscription (nil: nothing to do).
func (w *waiters) cancel(s *waitSub) {
	if s == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.subs[s.id][s]; !ok {
		return
	}
	w.n--
	delete(w.subs[s.id], s)
	if len(w.subs[s.id]) == 0 {
		delete(w.subs, s.id)
	}
}

// notify wakes everyone waiting on conversation id.
func (w *waiters) notify(id string) { w.tell(id, nil) }

// finished wakes everyone waiting on c, handing them c.
func (w *waiters) finished(c conversation.Conversation) { w.tell(c.ID, &c) }

func (w *waiters) tell(id string, c *conversation.Conversation) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.subs[id] {
		s.conv = c
		select {
		case s.ch <- struct{}{}:
		default:
		}
	}
}

// take returns and forgets the conversation of s's latest wake-up, if
// it came with one.
func (w *waiters) take(s *waitSub) *conversation.Conversation {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := s.conv
	s.conv = nil
	return c
}

const pollEvery = 250 * time.Millisecond

// WaitStopped waits until the conversation's latest turn stops or d
// passes, and returns the conversation as last read.
func (n *Server) WaitStopped(ctx context.Context, workspaceID, id string, d time.Duration) (conversation.Conversation, error) {
	return n.waitStopped(ctx, workspaceID, id, d, nil, 0)
}

// waitStopped is WaitStopped. With sub, a subscription taken before the
// accept of turn committed (so that turn was queued when it began, and no
// stop since is missed), it does not read the conversation before
// waiting, and a wake-up that brings the conversation with turn (or a
// later one) stopped is the answer, without reading it again. Without a
// read, a request whose context ends returns ctx's error.
func (n *Server) waitStopped(ctx context.Context, workspaceID, id string, d time.Duration, sub *waitSub, turn int) (conversation.Conversation, error) {
	read := sub == nil
	if sub == nil {
		sub = n.waiters.subscribe(id)
	}
	defer n.waiters.cancel(sub)
	var ch chan struct{} // nil (never fires) without a subscription: poll only
	if sub != nil {
		ch = sub.ch
	}
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var c conversation.Conversation
	seen := false
	for {
		if read {
			var err error
			c, err = conversation.Get(ctx, n.db, workspaceID, id)
			if err != nil || !c.Status.Active() {
				return c, err
			}
			seen = true
		}
		read = true
		select {
		case <-ctx.Done():
			if !seen {
				return c, ctx.Err()
			}
			return c, nil
		case <-deadline.C:
			if !seen {
				return conversation.Get(ctx, n.db, workspaceID, id)
			}
			return c, nil
		case <-ch:
			if f := n.waiters.take(sub); f != nil && turn > 0 && f.WorkspaceID == workspaceID && !f.Status.Active() && f.Last().Turn >= turn {
				return *f, nil
			}
		case <-tick.C:
		}
	}
}
