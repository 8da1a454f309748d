package conversation

// Waiting is how many accepts are queued behind the batch being committed.
func (b *Batcher) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// Closing reports whether Close was called.
func (b *Batcher) Closing() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}
