package httpapi

import "testing"

// TestWaitersBounded: notify wakes a conversation's waiters; past
// maxWaiters subscriptions a waiter gets no channel (it polls), and a
// freed subscription makes room again.
func TestWaitersBounded(t *testing.T) {
	w := newWaiters()
	s := w.subscribe("c1")
	ch, cancel := s.ch, func() { w.cancel(s) }
	w.notify("c2")
	select {
	case <-ch:
		t.Fatal("woken by another conversation's end")
	default:
	}
	w.notify("c1")
	select {
	case <-ch:
	default:
		t.Fatal("not woken by its conversation's end")
	}
	cancels := []func(){cancel}
	for i := 1; i < maxWaiters; i++ {
		m := w.subscribe("many")
		cancels = append(cancels, func() { w.cancel(m) })
	}
	if over := w.subscribe("one more"); over != nil {
		t.Fatal("a subscription past maxWaiters was granted")
	}
	cancels[0]()
	if again := w.subscribe("one more"); again == nil {
		t.Fatal("no room after a waiter left")
	} else {
		w.cancel(again)
	}
	for _, c := range cancels[1:] {
		c()
	}
	if w.n != 0 || len(w.subs) != 0 {
		t.Fatalf("waiters left behind: n=%d subs=%d", w.n, len(w.subs))
	}
}
