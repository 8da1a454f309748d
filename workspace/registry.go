package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Receipt is the tool layer's record of one thing a tool did. Replies quote
// receipts; a model's text never creates one.
type Receipt struct {
	Tool    string `json:"tool"`
	OK      bool   `json:"ok"`
	Ref     string `json:"ref,omitempty"` // "<kind>/<id>", e.g. "contact/01J…"
	Summary string `json:"summary"`
}

// Result is what a tool returns.
type Result struct {
	// Data is the JSON-able result shown to the model and MCP clients.
	Data any
	// Actions are receipts for what the tool changed (empty for reads).
	Actions []Receipt
	// Untrusted marks Data as coming from outside the workspace's control
	// (email bodies, extension output); the agent wraps it as data.
	Untrusted bool
}

// Env is what a tool runs with.
type Env struct {
	Tx     store.Tx         // the call's transaction; all SQL goes through it (nil for OwnTx tools)
	DB     store.Transactor // for OwnTx tools: they open their own short transactions
	Caller Caller
	Now    time.Time
}

// Tool is one workspace capability.
type Tool struct {
	Name        string
	Description string          // one line, written for a model
	Schema      json.RawMessage // JSON Schema of the arguments (type object)
	Scope       string          // scope the key needs, e.g. "contacts:write"
	Effect      Effect
	// Run performs the call inside env.Tx. Errors of kind errs.Invalid,
	// errs.NotFound, errs.Conflict… are shown to the model/caller; others are
	// internal.
	Run func(ctx context.Context, env Env, args json.RawMessage) (Result, error)
	// OwnTx marks a tool that does slow outside I/O (email_send talks to an
	// SMTP relay): it gets env.DB instead of a transaction and keeps its own
	// transactions short, so no database connection is held during the I/O.
	// Its effect outside the database cannot be undone by a rollback.
	OwnTx bool
	// Idempotent: a repeat with the same arguments has no further effect
	// (reads, updates, deletes; not creates or sends). MCP declares it.
	Idempotent bool
	// Args is the argument struct the schema was generated from (Define);
	// nil for a tool whose schema comes from elsewhere (an extension).
	Args reflect.Type

	resolved *jsonschema.Resolved
}

// Source supplies tools that are not built in (installed extensions). Its
// tools run outside any transaction: Call is handed a nil Tx.
type Source interface {
	// Tools lists the source's tools for a workspace.
	Tools(ctx context.Context, workspaceID string) ([]Tool, error)
}

// Registry holds the built-in tools and dynamic sources.
type Registry struct {
	mu      sync.RWMutex
	builtin map[string]*Tool
	sources []Source
	db      store.Transactor
	now     func() time.Time
}

// NewRegistry returns an empty registry whose tools run on db.
func NewRegistry(db store.Transactor, now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{builtin: map[string]*Tool{}, db: db, now: now}
}

// Add registers built-in tools. It panics on a duplicate name or a schema
// that does not compile: both are programming errors.
func (r *Registry) Add(tools ...Tool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range tools {
		if _, dup := r.builtin[t.Name]; dup {
			panic("workspace: duplicate tool " + t.Name)
		}
		rs, err := compile(t.Schema)
		if err != nil {
			panic(fmt.Sprintf("workspace: tool %s: %v", t.Name, err))
		}
		t.resolved = rs
		r.builtin[t.Name] = &t
	}
}

// AddSource registers a dynamic tool source.
func (r *Registry) AddSource(s Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sources = append(r.sources, s)
}

func compile(schema json.RawMessage) (*jsonschema.Resolved, error) {
	var s jsonschema.Schema
	if err := json.Unmarshal(schema, &s); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return s.Resolve(nil)
}

// List returns the tools c may call, sorted by name. Tools c may not use
// are not listed at all, so a model is never told of them.
func (r *Registry) List(ctx context.Context, c Caller) ([]Tool, error) {
	r.mu.RLock()
	out := make([]Tool, 0, len(r.builtin))
	for _, t := range r.builtin {
		if c.Allows(t.Scope, t.Effect) {
			out = append(out, *t)
		}
	}
	sources := slices.Clone(r.sources)
	r.mu.RUnlock()
	for _, s := range sources {
		ts, err := s.Tools(ctx, c.WorkspaceID)
		if err != nil {
			continue // a source that is down hides its tools; the rest works
		}
		for _, t := range ts {
			if c.Allows(t.Scope, t.Effect) {
				out = append(out, t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Lookup finds a tool by name for c. Unknown tools and tools c may not use
// are errors (NotFound / Forbidden).
func (r *Registry) Lookup(ctx context.Context, c Caller, name string) (Tool, error) {
	r.mu.RLock()
	t, ok := r.builtin[name]
	sources := slices.Clone(r.sources)
	r.mu.RUnlock()
	if !ok {
		for _, s := range sources {
			ts, err := s.Tools(ctx, c.WorkspaceID)
			if err != nil {
				continue
			}
			for i := range ts {
				if ts[i].Name == name {
					t, ok = &ts[i], true
				}
			}
		}
	}
	if !ok {
		return Tool{}, errs.E(errs.NotFound, "unknown tool %q", name)
	}
	if !c.Allows(t.Scope, t.Effect) {
		return Tool{}, errs.E(errs.Forbidden, "tool %s needs scope %s and a role that may %s", name, t.Scope, t.Effect)
	}
	return *t, nil
}

// Validate checks args against t's schema.
func (t Tool) Validate(args json.RawMessage) error {
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage(`{}`)
	}
	var v any
	if err := json.Unmarshal(args, &v); err != nil {
		return errs.E(errs.Invalid, "arguments of %s are not JSON: %v", t.Name, err)
	}
	if _, isObj := v.(map[string]any); !isObj {
		return errs.E(errs.Invalid, "arguments of %s must be a JSON object", t.Name)
	}
	if t.resolved == nil {
		rs, err := compile(t.Schema)
		if err != nil {
			return errs.Wrap(errs.Internal, err, "tool %s has a broken schema", t.Name)
		}
		t.resolved = rs
	}
	if err := t.resolved.Validate(v); err != nil {
		return errs.E(errs.Invalid, "arguments of %s: %v", t.Name, err)
	}
	return nil
}

// Call looks up, permission-checks, validates and runs a tool in its own
// transaction. Use CallTx to run it inside a transaction you own.
func (r *Registry) Call(ctx context.Context, c Caller, name string, args json.RawMessage) (Result, error) {
	t, err := r.Lookup(ctx, c, name)
	if err != nil {
		return Result{}, err
	}
	if err := t.Validate(args); err != nil {
		return Result{}, err
	}
	if t.OutsideTx() {
		return t.Run(ctx, Env{DB: r.db, Caller: c, Now: r.now()}, args)
	}
	var res Result
	err = r.db.InTx(ctx, func(tx store.Tx) error {
		var err error
		res, err = t.Run(ctx, Env{Tx: tx, Caller: c, Now: r.now()}, args)
		return err
	})
	return res, err
}

// CallTx is Call inside tx, so a caller can record the result in the same
// transaction (the agent loop does, for exactly-once side effects). Tools
// that run outside transactions (OutsideTx) ignore tx.
func (r *Registry) CallTx(ctx context.Context, tx store.Tx, c Caller, name string, args json.RawMessage) (Result, error) {
	t, err := r.Lookup(ctx, c, name)
	if err != nil {
		return Result{}, err
	}
	if err := t.Validate(args); err != nil {
		return Result{}, err
	}
	if t.OutsideTx() {
		return t.Run(ctx, Env{DB: r.db, Caller: c, Now: r.now()}, args)
	}
	return t.Run(ctx, Env{Tx: tx, Caller: c, Now: r.now()}, args)
}

// External reports whether t comes from a Source (an installed extension)
// rather than Add: it runs outside any transaction and its effects are
// outside the database.
func (t Tool) External() bool { return len(t.Name) > 4 && t.Name[:4] == "ext_" }

// OutsideTx reports whether t runs outside the caller's transaction: an
// extension, or a tool with OwnTx. Callers must not hold a transaction
// while calling it.
func (t Tool) OutsideTx() bool { return t.OwnTx || t.External() }
