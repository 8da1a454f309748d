package verify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// maxJWKS bounds a fetched JWKS document.
const maxJWKS = 256 << 10

// RemoteOptions configures a Remote. Zero values take the documented defaults.
type RemoteOptions struct {
	Client   *http.Client     // default: a client with a 10 s timeout
	TTL      time.Duration    // how long a fetched set is used; default 10 min
	Cooldown time.Duration    // least time between refetches for an unknown kid; default 30 s
	Now      func() time.Time // clock; default time.Now
}

// Remote is a JWKS fetched over HTTP and cached. It refetches when the cache
// is older than TTL, and when a signature names an unknown kid (at most once
// per Cooldown). When a refetch fails it keeps using the last good set.
type Remote struct {
	url  string
	opts RemoteOptions

	mu      sync.Mutex
	set     *KeySet
	fetched time.Time // last successful fetch
	tried   time.Time // last attempt
}

var _ Source = (*Remote)(nil)
var _ Refresher = (*Remote)(nil)

// NewRemote returns a cached JWKS at url (e.g. https://node/.well-known/jwks.json).
func NewRemote(url string, opts RemoteOptions) *Remote {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Minute
	}
	if opts.Cooldown <= 0 {
		opts.Cooldown = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Remote{url: url, opts: opts}
}

// KeySet implements Source.
func (r *Remote) KeySet(ctx context.Context) (*KeySet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set != nil && r.opts.Now().Sub(r.fetched) < r.opts.TTL {
		return r.set, nil
	}
	return r.fetchLocked(ctx)
}

// Refresh implements Refresher.
func (r *Remote) Refresh(ctx context.Context) (*KeySet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set != nil && r.opts.Now().Sub(r.tried) < r.opts.Cooldown {
		return r.set, nil
	}
	return r.fetchLocked(ctx)
}

func (r *Remote) fetchLocked(ctx context.Context) (*KeySet, error) {
	r.tried = r.opts.Now()
	set, err := fetch(ctx, r.opts.Client, r.url)
	if err != nil {
		if r.set != nil {
			return r.set, nil // stale beats unavailable; the error repeats on the next try
		}
		return nil, err
	}
	r.set, r.fetched = set, r.opts.Now()
	return set, nil
}

func fetch(ctx context.Context, client *http.Client, url string) (*KeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("verify: JWKS url: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("verify: fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("verify: fetch JWKS: status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS+1))
	if err != nil {
		return nil, fmt.Errorf("verify: read JWKS: %w", err)
	}
	if len(data) > maxJWKS {
		return nil, fmt.Errorf("verify: JWKS larger than %d bytes", maxJWKS)
	}
	return ParseJWKS(data)
}

// Load reads a JWKS from an http(s) URL or a file path, once, for tools such
// as `soisnode verify --jwks URL|FILE`.
func Load(ctx context.Context, src string, client *http.Client) (*KeySet, error) {
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		if client == nil {
			client = &http.Client{Timeout: 10 * time.Second}
		}
		return fetch(ctx, client, src)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("verify: read JWKS file: %w", err)
	}
	return ParseJWKS(data)
}
