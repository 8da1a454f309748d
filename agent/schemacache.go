package agent

import (
	"encoding/json"
	"sync"
)

// schemaCache memoizes the schema rewrites of Declare (ModelSchema and
// BriefSchema) by the schema's bytes. Every turn declares the caller's
// tools again, and rewriting them (a JSON decode and encode of each
// schema) was about a seventh of a local-agent turn's CPU
// (docs/benchmarks.md); the built-in tools' schemas never change and an
// extension's change only with its manifest, so almost every turn finds
// them here. Bounded: past maxCachedSchemas entries the cache starts over.
type schemaCache struct {
	mu sync.Mutex
	m  map[string]json.RawMessage
}

// maxCachedSchemas bounds each cache: far more than the tools of a node
// (25 built-in ones plus extensions), so only a node whose extensions keep
// changing ever starts over.
const maxCachedSchemas = 2048

var modelSchemas, briefSchemas schemaCache

// get returns rewrite(schema), computed once per distinct schema. The
// result is shared between callers: it must not be modified.
func (c *schemaCache) get(schema json.RawMessage, rewrite func(json.RawMessage) json.RawMessage) json.RawMessage {
	c.mu.Lock()
	out, ok := c.m[string(schema)]
	c.mu.Unlock()
	if ok {
		return out
	}
	out = rewrite(schema)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedSchemas {
		c.m = make(map[string]json.RawMessage)
	}
	c.m[string(schema)] = out
	c.mu.Unlock()
	return out
}
