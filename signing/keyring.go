package signing

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
)

// Options configures a Keyring. Zero values take the documented defaults.
type Options struct {
	Now  func() time.Time // clock; default time.Now
	Rand io.Reader        // randomness for keys and nonces; default crypto/rand
	// CacheTTL is how long the published keys are used before the table is
	// read again, so that a rotation by another process sharing the
	// database is picked up. Default 30 s.
	CacheTTL time.Duration
}

// Keyring holds a node's Ed25519 signing keys: the active key signs, and
// keys retired by Rotate stay published (and co-sign Standard Webhooks
// signatures) until their grace period ends. Private keys are stored
// encrypted under the key-encryption key and kept decrypted in memory only
// while published. A Keyring is safe for concurrent use.
type Keyring struct {
	store keyStore
	kek   []byte
	opts  Options

	mu    sync.Mutex
	cache *state
}

// entry is a published key with its decrypted private half.
type entry struct {
	kid       string
	pub       ed25519.PublicKey
	priv      ed25519.PrivateKey
	createdAt int64
	retireAt  int64
	expiresAt int64
}

// state is the cached view of the published keys.
type state struct {
	active *entry   // the signing key
	grace  []*entry // retired, still published, newest first
	jwks   []byte
	until  time.Time // reload at or after this instant
}

// KeyInfo describes a key for listings (`soisnode signing list`).
type KeyInfo struct {
	ID        string
	Algorithm string
	State     string // "active", "grace" or "expired"
	CreatedAt time.Time
	RetireAt  time.Time // zero while active
	ExpiresAt time.Time // zero while active
}

// ErrNoActiveKey is returned when no key can sign (Ensure was not called or
// failed).
var ErrNoActiveKey = errors.New("signing: no active key")

// New returns a Keyring whose keys live in db's signing_keys table,
// encrypted under kek (see LoadKEK).
func New(db DB, kek []byte, opts Options) (*Keyring, error) {
	if db == nil {
		return nil, errors.New("signing: nil database")
	}
	return newKeyring(sqlStore{db: db}, kek, opts)
}

// NewMemory returns a Keyring whose keys live only in memory, under a
// random key-encryption key: for tests and tools.
func NewMemory(opts Options) *Keyring {
	kek := make([]byte, kekSize)
	if _, err := io.ReadFull(rand.Reader, kek); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	k, _ := newKeyring(&memStore{}, kek, opts)
	return k
}

func newKeyring(s keyStore, kek []byte, opts Options) (*Keyring, error) {
	if len(kek) != kekSize {
		return nil, fmt.Errorf("signing: key-encryption key must be %d bytes", kekSize)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 30 * time.Second
	}
	return &Keyring{store: s, kek: append([]byte(nil), kek...), opts: opts}, nil
}

// Ensure creates the first key if there is no active key, and loads the keys.
// Call it once at start-up so that a broken key-encryption key fails fast.
func (k *Keyring) Ensure(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.cache = nil
	_, err := k.loadLocked(ctx)
	return err
}

// Rotate creates a new active key and returns its kid. The previous active
// key stops signing at once but stays in the JWKS, and keeps co-signing
// Standard Webhooks signatures, for grace; grace 0 removes it at once (for
// a compromised key).
func (k *Keyring) Rotate(ctx context.Context, grace time.Duration) (string, error) {
	if grace < 0 {
		return "", errors.New("signing: negative grace period")
	}
	r, err := k.generate()
	if err != nil {
		return "", err
	}
	now := store.Micros(k.opts.Now())
	if err := k.store.rotate(ctx, r, now, now+grace.Microseconds()); err != nil {
		return "", err
	}
	k.mu.Lock()
	k.cache = nil
	k.mu.Unlock()
	return r.kid, nil
}

// JWKS returns the published public keys as a JWK Set document, for
// GET /.well-known/jwks.json.
func (k *Keyring) JWKS(ctx context.Context) ([]byte, error) {
	st, err := k.current(ctx)
	if err != nil {
		return nil, err
	}
	return st.jwks, nil
}

// ActiveKeyID returns the kid that signs now.
func (k *Keyring) ActiveKeyID(ctx context.Context) (string, error) {
	st, err := k.current(ctx)
	if err != nil {
		return "", err
	}
	return st.active.kid, nil
}

// PublicKeys returns the published keys as a verify.KeySet, so the node can
// verify its own signatures (and `soisnode verify` can run offline).
func (k *Keyring) PublicKeys(ctx context.Context) (*verify.KeySet, error) {
	st, err := k.current(ctx)
	if err != nil {
		return nil, err
	}
	keys := []verify.Key{{ID: st.active.kid, Public: st.active.pub}}
	for _, e := range st.grace {
		keys = append(keys, verify.Key{ID: e.kid, Public: e.pub})
	}
	return verify.NewKeySet(keys...), nil
}

// AuditKeys returns every key this node has had, for re-checking its own
// stored signatures (negotiation transcripts, signed replies) after their
// key has left the JWKS. A retired key verifies only what it signed before
// it retired (verify.Key.RetiredAt); a key rotated with no grace, the
// compromised-key rotation, verifies nothing (verify.Key.Revoked). Never
// use it to check what a peer or caller sends: that is PublicKeys.
func (k *Keyring) AuditKeys(ctx context.Context) (*verify.KeySet, error) {
	rows, err := k.store.all(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]verify.Key, 0, len(rows))
	for _, r := range rows {
		if len(r.pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("signing: key %s: public key is %d bytes", r.kid, len(r.pub))
		}
		key := verify.Key{ID: r.kid, Public: ed25519.PublicKey(r.pub)}
		if r.retireAt != 0 {
			key.RetiredAt = store.Time(r.retireAt)
			key.Revoked = r.expiresAt <= r.retireAt
		}
		keys = append(keys, key)
	}
	return verify.NewKeySet(keys...), nil
}

// KeySet implements verify.Source with the published keys.
func (k *Keyring) KeySet(ctx context.Context) (*verify.KeySet, error) { return k.PublicKeys(ctx) }

// Keys lists every key, including expired ones, newest first.
func (k *Keyring) Keys(ctx context.Context) ([]KeyInfo, error) {
	rows, err := k.store.all(ctx)
	if err != nil {
		return nil, err
	}
	now := store.Micros(k.opts.Now())
	out := make([]KeyInfo, 0, len(rows))
	for _, r := range rows {
		info := KeyInfo{ID: r.kid, Algorithm: r.alg, CreatedAt: store.Time(r.createdAt), State: "active"}
		if r.retireAt != 0 {
			info.RetireAt, info.ExpiresAt = store.Time(r.retireAt), store.Time(r.expiresAt)
			info.State = "grace"
			if !r.published(now) {
				info.State = "expired"
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// current returns the cached state, reloading it when stale.
func (k *Keyring) current(ctx context.Context) (*state, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cache != nil && k.opts.Now().Before(k.cache.until) {
		return k.cache, nil
	}
	return k.loadLocked(ctx)
}

// loadLocked reads the published keys (creating the first key if there is
// none), decrypts them and rebuilds the cache. Decrypted keys of the previous
// state are reused; keys no longer published drop out of memory.
func (k *Keyring) loadLocked(ctx context.Context) (*state, error) {
	now := k.opts.Now()
	rows, err := k.store.published(ctx, store.Micros(now))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || rows[0].retireAt != 0 {
		first, err := k.generate()
		if err != nil {
			return nil, err
		}
		if _, err := k.store.addFirst(ctx, first); err != nil {
			return nil, err
		}
		if rows, err = k.store.published(ctx, store.Micros(now)); err != nil {
			return nil, err
		}
		if len(rows) == 0 || rows[0].retireAt != 0 {
			return nil, ErrNoActiveKey
		}
	}
	st := &state{until: now.Add(k.opts.CacheTTL)}
	var jwks jose.JSONWebKeySet
	for _, r := range rows {
		e, err := k.decrypt(r)
		if err != nil {
			return nil, err
		}
		if st.active == nil {
			st.active = e
		} else {
			st.grace = append(st.grace, e)
			if exp := store.Time(e.expiresAt); exp.Before(st.until) {
				st.until = exp // drop the key from the JWKS as soon as it expires
			}
		}
		jwks.Keys = append(jwks.Keys, jose.JSONWebKey{Key: e.pub, KeyID: e.kid, Algorithm: verify.Algorithm, Use: "sig"})
	}
	if st.jwks, err = json.Marshal(jwks); err != nil {
		return nil, fmt.Errorf("signing: encode JWKS: %w", err)
	}
	k.cache = st
	return st, nil
}

// decrypt turns a row into an entry, reusing an already decrypted key.
func (k *Keyring) decrypt(r row) (*entry, error) {
	if old := k.cached(r.kid); old != nil {
		e := *old
		e.retireAt, e.expiresAt = r.retireAt, r.expiresAt
		return &e, nil
	}
	if r.alg != verify.Algorithm || len(r.pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("signing: key %s: unsupported algorithm %q", r.kid, r.alg)
	}
	seed, err := open(k.kek, r.kid, r.privSealed)
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing: key %s: bad private key size", r.kid)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(r.pub)) {
		return nil, fmt.Errorf("signing: key %s: private key does not match its public key", r.kid)
	}
	return &entry{kid: r.kid, pub: ed25519.PublicKey(r.pub), priv: priv,
		createdAt: r.createdAt, retireAt: r.retireAt, expiresAt: r.expiresAt}, nil
}

func (k *Keyring) cached(kid string) *entry {
	if k.cache == nil {
		return nil
	}
	if k.cache.active.kid == kid {
		return k.cache.active
	}
	for _, e := range k.cache.grace {
		if e.kid == kid {
			return e
		}
	}
	return nil
}

// generate makes a new key row, its private half sealed.
func (k *Keyring) generate() (row, error) {
	pub, priv, err := ed25519.GenerateKey(k.opts.Rand)
	if err != nil {
		return row{}, fmt.Errorf("signing: generate key: %w", err)
	}
	kid, err := Thumbprint(pub)
	if err != nil {
		return row{}, err
	}
	sealed, err := seal(k.kek, kid, priv.Seed(), k.opts.Rand)
	if err != nil {
		return row{}, err
	}
	return row{kid: kid, alg: verify.Algorithm, pub: pub, privSealed: sealed, createdAt: store.Micros(k.opts.Now())}, nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint of pub (SHA-256,
// base64url without padding): soisnode's kid, and the fingerprint an
// operator compares when pinning a peer.
func Thumbprint(pub ed25519.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("signing: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
