package negotiation

import (
	"sync"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
)

// keyCache keeps parsed pinned key sets by their JWKS bytes, so an
// envelope does not re-parse its sender's JWKS. A re-pin or an announced
// key changes the bytes, and so the entry: nothing is ever stale.
type keyCache struct {
	mu   sync.Mutex
	sets map[string]*verify.KeySet
}

// maxCachedKeySets bounds the cache; past it, it starts afresh.
const maxCachedKeySets = 256

func (c *keyCache) of(p peers.Peer) (*verify.KeySet, error) {
	c.mu.Lock()
	set, ok := c.sets[string(p.JWKS)]
	c.mu.Unlock()
	if ok {
		return set, nil
	}
	set, err := p.KeySet()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.sets == nil || len(c.sets) >= maxCachedKeySets {
		c.sets = map[string]*verify.KeySet{}
	}
	c.sets[string(p.JWKS)] = set
	c.mu.Unlock()
	return set, nil
}
