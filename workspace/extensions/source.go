package extensions

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Scope is the scope a key needs to call extension tools.
const Scope = "extensions:use"

// Options configure a Source. Zero fields take the documented defaults.
type Options struct {
	// HTTPClient talks to extensions. Default: a plain client; every request
	// is bounded by ListTimeout or CallTimeout.
	HTTPClient *http.Client
	// ListTimeout bounds listing one extension's tools. Default 10 s.
	ListTimeout time.Duration
	// CallTimeout bounds one call of an extension tool. Default 30 s.
	CallTimeout time.Duration
	// TTL is how long a reachable extension's tool list is reused. Default 60 s.
	TTL time.Duration
	// DownTTL is how long an unreachable extension stays hidden before it is
	// asked again. Default 15 s.
	DownTTL time.Duration
	// InstalledTTL is how long a workspace's list of installed extensions is
	// reused, so tool listings and lookups rarely touch the database. After
	// it, the old list is still served once while a fresh one is read in the
	// background. Other processes' installs show up within about it; Forget
	// is immediate. Default 10 s.
	InstalledTTL time.Duration
	// MaxCached bounds the tool lists and the installed lists kept in memory,
	// each. Default 1024.
	MaxCached int
	// MaxContentBytes bounds the remote content a call returns; longer
	// content is cut and marked. Default 64 KiB.
	MaxContentBytes int
	// Version is reported to extensions as our client version. Default "dev".
	Version string
	// Now is the clock for cache expiry. Default time.Now.
	Now func() time.Time
	// Logger receives unreachable extensions and skipped tools (never a
	// URL). Default: discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ListTimeout, 10*time.Second)
	def(&o.CallTimeout, 30*time.Second)
	def(&o.TTL, 60*time.Second)
	def(&o.DownTTL, 15*time.Second)
	def(&o.InstalledTTL, 10*time.Second)
	if o.MaxCached <= 0 {
		o.MaxCached = 1024
	}
	if o.MaxContentBytes <= 0 {
		o.MaxContentBytes = 64 << 10
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Source offers the tools of a workspace's installed extensions to the
// workspace.Registry, as ext_<extension>_<tool>. An extension that does not
// answer is left out of the listing; the others keep working.
type Source struct {
	db        store.Querier
	opts      Options
	installed *cache[[]Extension]  // workspace id → installed extensions
	tools     *cache[[]remoteTool] // extension id → its tools
}

var _ workspace.Source = (*Source)(nil)

// NewSource returns a Source that reads installed extensions from db, on
// its own (outside any transaction), and caches them as opts say.
func NewSource(db store.Querier, opts Options) *Source {
	opts = opts.withDefaults()
	return &Source{
		db:        db,
		opts:      opts,
		installed: newCache[[]Extension](opts.MaxCached, opts.Now),
		tools:     newCache[[]remoteTool](opts.MaxCached, opts.Now),
	}
}

// Forget drops what the Source remembers of a workspace's installed
// extensions; call it after Add or Remove so the change shows at once.
func (s *Source) Forget(workspaceID string) { s.installed.forget(workspaceID) }

// Tools implements workspace.Source: the tools of every reachable extension
// installed in the workspace. It fails only when the database does.
func (s *Source) Tools(ctx context.Context, workspaceID string) ([]workspace.Tool, error) {
	// Served stale while refreshed: the agent looks tools up inside its
	// transaction, which on SQLite holds the only connection.
	exts, err := s.installed.getOrStale(ctx, workspaceID, func() ([]Extension, error) {
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		return List(qctx, s.db, workspaceID)
	}, func(err error) time.Duration {
		if err != nil {
			return 0 // never remember a database error
		}
		return s.opts.InstalledTTL
	})
	if err != nil {
		return nil, err
	}
	var out []workspace.Tool
	seen := map[string]bool{}
	for i, p := range s.probe(ctx, exts) {
		for _, rt := range p.tools {
			t := s.tool(exts[i], rt)
			if seen[t.Name] { // ext "a" tool "b_c" vs ext "a_b" tool "c": first one wins
				s.opts.Logger.Warn("extension tool name taken; skipped", "extension", exts[i], "tool", t.Name)
				continue
			}
			seen[t.Name] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// probed is what one extension offers right now.
type probed struct {
	tools []remoteTool
	err   error // non-nil: unreachable
}

// probe gets the tool lists of exts concurrently, from the cache when fresh.
func (s *Source) probe(ctx context.Context, exts []Extension) []probed {
	out := make([]probed, len(exts))
	var wg sync.WaitGroup
	for i, e := range exts {
		wg.Go(func() {
			out[i].tools, out[i].err = s.tools.get(ctx, e.ID, func() ([]remoteTool, error) {
				return s.fetchTools(context.WithoutCancel(ctx), e)
			}, func(err error) time.Duration {
				if err != nil {
					return s.opts.DownTTL
				}
				return s.opts.TTL
			})
		})
	}
	wg.Wait()
	return out
}

// tool wraps one remote tool as a workspace tool.
func (s *Source) tool(e Extension, rt remoteTool) workspace.Tool {
	name := "ext_" + e.Name + "_" + rt.Name
	return workspace.Tool{
		Name:        name,
		Description: rt.Description,
		Schema:      rt.Schema,
		Scope:       Scope,
		Effect:      rt.Effect,
		Run: func(ctx context.Context, _ workspace.Env, args json.RawMessage) (workspace.Result, error) {
			return s.run(ctx, e, name, rt, args)
		},
	}
}
