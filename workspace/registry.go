package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
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
	Tx     store.Tx         // the call's transaction; all SQL goes through it (nil for OpenWorld tools)
	DB     store.Transactor // for OpenWorld tools: they open their own short transactions
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
	// OpenWorld declares that the tool's effect reaches outside the
	// database (email_send talks to an SMTP relay, peers_negotiate to a
	// peer node): a rollback cannot undo it. The registry (Run) therefore
	// runs it outside any transaction, with env.DB for its own short
	// transactions, so no database connection is held during the I/O; MCP
	// declares it as openWorldHint.
	OpenWorld bool
	// Idempotent: a repeat with the same arguments has no further effect
	// (reads, updates, deletes; not creates or sends). MCP declares it.
	Idempotent bool
	// Args is the argument struct the schema was generated from (Define);
	// nil for a tool whose schema comes from elsewhere (an extension).
	Args reflect.Type

	resolved *jsonschema.Resolved
	source   bool // listed by a Source (an extension), not Add
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
				t.source = true
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
					ts[i].source = true
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
		// The validator prints a JSON null as Go's zero reflect.Value;
		// a caller sent null, so say null.
		msg := strings.ReplaceAll(err.Error(), "<invalid reflect.Value>", "null")
		return errs.E(errs.Invalid, "arguments of %s: %s", t.Name, msg)
	}
	return nil
}

// Record writes a tool call's outcome (its result, or the error it
// failed with) in tx, the transaction that holds the call's effects when
// the tool runs inside one. An error from Record rolls those back.
type Record func(ctx context.Context, tx store.Tx, res Result, callErr error) error

// Run looks up, permission-checks, validates and runs a tool, and records
// its outcome with record (nil: nothing to record). The registry alone
// chooses the transaction, from the tool's declaration: a tool whose
// effects stay in the database runs in one transaction with its record,
// so a call and its record commit or roll back together (a failed call's
// partial effects are rolled back and its error recorded in a fresh
// transaction); an OpenWorld tool or an extension runs outside any
// transaction and its outcome is recorded after it, so a crash in between
// may repeat the outside effect. Run returns the call's result and error;
// a record that fails is returned as the error, wrapped.
func (r *Registry) Run(ctx context.Context, c Caller, name string, args json.RawMessage, record Record) (Result, error) {
	t, err := r.Lookup(ctx, c, name)
	if err == nil {
		err = t.Validate(args)
	}
	if err != nil {
		return Result{}, r.recordAlone(ctx, record, Result{}, err)
	}
	if t.OutsideTx() {
		res, err := t.Run(ctx, Env{DB: r.db, Caller: c, Now: r.now()}, args)
		return res, r.recordAlone(ctx, record, res, err)
	}
	var res Result
	var callErr error
	err = r.db.InTx(ctx, func(tx store.Tx) error {
		res, callErr = t.Run(ctx, Env{Tx: tx, Caller: c, Now: r.now()}, args)
		if callErr != nil {
			return callErr // roll back the tool's partial effects
		}
		if record != nil {
			return record(ctx, tx, res, nil)
		}
		return nil
	})
	if callErr != nil {
		return Result{}, r.recordAlone(ctx, record, Result{}, callErr)
	}
	if err != nil {
		return res, &RecordError{err}
	}
	return res, nil
}

// recordAlone records an outcome in a transaction of its own and returns
// the call's error, or the record's failure. A call cut off by its
// context (a stop) is not recorded: its outcome is unknown, or was rolled
// back, and the caller's next run makes it again. A call that succeeded
// is recorded even if ctx ends now: its outside effect happened.
func (r *Registry) recordAlone(ctx context.Context, record Record, res Result, callErr error) error {
	if record == nil || (callErr != nil && ctx.Err() != nil) {
		return callErr
	}
	if callErr == nil {
		ctx = context.WithoutCancel(ctx)
	}
	if err := r.db.InTx(ctx, func(tx store.Tx) error { return record(ctx, tx, res, callErr) }); err != nil {
		return &RecordError{err}
	}
	return callErr
}

// RecordError is a Run whose outcome could not be recorded (the call
// itself may have succeeded, or failed with another error).
type RecordError struct{ Err error }

func (e *RecordError) Error() string { return "record a tool call: " + e.Err.Error() }
func (e *RecordError) Unwrap() error { return e.Err }

// Call is Run without a record: MCP, the negotiation service and tests
// call tools this way.
func (r *Registry) Call(ctx context.Context, c Caller, name string, args json.RawMessage) (Result, error) {
	return r.Run(ctx, c, name, args, nil)
}

// External reports whether t comes from a Source (an installed extension)
// rather than Add: it runs outside any transaction and its effects are
// outside the database.
func (t Tool) External() bool { return t.source }

// OutsideTx reports whether Run runs t outside any transaction: an
// extension, or an OpenWorld tool. Its effects reach outside the
// workspace's database (MCP's openWorldHint).
func (t Tool) OutsideTx() bool { return t.OpenWorld || t.External() }
