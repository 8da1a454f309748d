package node

// PendingFinishes counts what onTurnFinished noted for finishing
// transactions that have neither committed nor rolled back yet: turn
// outcomes waiting to be counted and conversations whose delivery waits
// to wake the dispatcher.
func (n *Node) PendingFinishes() int {
	n.domain.mu.Lock()
	count := len(n.domain.finished)
	n.domain.mu.Unlock()
	n.queuedDeliveries.Range(func(any, any) bool { count++; return true })
	return count
}
