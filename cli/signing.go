package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
)

// SigningKeyView is how `signing list --json` prints a key.
type SigningKeyView struct {
	KID       string     `json:"kid"`
	Algorithm string     `json:"alg"`
	State     string     `json:"state"` // active, grace or expired
	CreatedAt time.Time  `json:"created_at"`
	RetireAt  *time.Time `json:"retire_at,omitempty"`  // when it stopped signing
	ExpiresAt *time.Time `json:"expires_at,omitempty"` // when it leaves the JWKS
}

// defaultGrace is how long a rotated-out key stays published by default:
// long enough for every receiver's JWKS cache.
const defaultGrace = 7 * 24 * time.Hour

func runSigning(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 {
		return usagef("signing rotate [--grace 168h] | signing list [--json]")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("signing "+sub, e)
	asJSON := fs.Bool("json", false, "print JSON")
	grace := fs.Duration("grace", defaultGrace, "rotate: how long the previous key stays in the JWKS (0 removes it at once, for a compromised key)")
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("signing %s takes no arguments", sub)
	}
	if *grace < 0 {
		return usagef("--grace must not be negative")
	}
	if sub != "list" && sub != "rotate" {
		return usagef("unknown signing command %q (rotate, list)", sub)
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "list" {
		return listSigningKeys(ctx, e, db, *asJSON)
	}
	return rotateSigningKey(ctx, e, db, *grace, *asJSON)
}

// nodeKeyring is the node's signing keyring under its key-encryption key
// (loadKEK), as serve opens it.
func nodeKeyring(ctx context.Context, e *Env, db *store.DB) (*signing.Keyring, []byte, error) {
	kek, err := loadKEK(ctx, e, db)
	if err != nil {
		return nil, nil, err
	}
	ring, err := signing.New(db, kek, signing.Options{Now: e.Now})
	return ring, kek, err
}

// publicKeyring reads key metadata only. Listing decrypts no private key,
// so it needs no key-encryption key: a random one stands in.
func publicKeyring(db *store.DB, e *Env) (*signing.Keyring, error) {
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		return nil, err
	}
	return signing.New(db, kek, signing.Options{Now: e.Now})
}

func listSigningKeys(ctx context.Context, e *Env, db *store.DB, asJSON bool) error {
	ring, err := publicKeyring(db, e)
	if err != nil {
		return err
	}
	keys, err := ring.Keys(ctx)
	if err != nil {
		return err
	}
	views := make([]SigningKeyView, 0, len(keys))
	for _, k := range keys {
		v := SigningKeyView{KID: k.ID, Algorithm: k.Algorithm, State: k.State, CreatedAt: k.CreatedAt}
		if !k.RetireAt.IsZero() {
			r, x := k.RetireAt, k.ExpiresAt
			v.RetireAt, v.ExpiresAt = &r, &x
		}
		views = append(views, v)
	}
	return printList(e.Stdout, asJSON, views, "No signing keys yet: the node creates its first key when it starts.", "KID\tSTATE\tCREATED\tRETIRED\tLEAVES JWKS",
		func(v SigningKeyView) []any {
			return []any{v.KID, v.State, stamp(&v.CreatedAt), stamp(v.RetireAt), stamp(v.ExpiresAt)}
		})
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func rotateSigningKey(ctx context.Context, e *Env, db *store.DB, grace time.Duration, asJSON bool) error {
	ring, _, err := nodeKeyring(ctx, e, db)
	if err != nil {
		return err
	}
	// Decrypting the current keys proves this is the node's
	// key-encryption key before a key it could not read is written.
	if err := ring.Ensure(ctx); err != nil {
		return err
	}
	previous, err := ring.ActiveKeyID(ctx)
	if err != nil {
		return err
	}
	kid, err := ring.Rotate(ctx, grace)
	if err != nil {
		return err
	}
	until := e.Now().Add(grace).UTC()
	announced := 0
	if grace > 0 {
		// Peers accept the new key when the key they pinned announces it.
		cfg, err := config(e)
		if err != nil {
			return err
		}
		if announced, err = node.AnnounceKeys(ctx, db, ring, cfg, previous, logger(e)); err != nil {
			return fmt.Errorf("the new key is active, but announcing it to peers failed: %w", err)
		}
	}
	if asJSON {
		return printJSON(e.Stdout, map[string]any{"kid": kid, "previous_kid": previous, "previous_expires_at": until, "peers_told": announced})
	}
	if announced > 0 {
		fmt.Fprintf(e.Stdout, "Announced the new key to %d peer(s), signed by the previous key; a running node sends the announcements.\n", announced)
	} else if grace == 0 {
		fmt.Fprintln(e.Stdout, "With no grace period the new key cannot be announced by the previous one: peers must re-pin this node.")
	}
	fmt.Fprintf(e.Stdout, "New signing key %s is active.\n", kid)
	if grace > 0 {
		fmt.Fprintf(e.Stdout, "The previous key %s stays in the JWKS until %s.\n", previous, until.Format(time.RFC3339))
	} else {
		fmt.Fprintf(e.Stdout, "The previous key %s was removed from the JWKS.\n", previous)
	}
	fmt.Fprintln(e.Stdout, "Running nodes switch to the new key within 30 seconds.")
	return nil
}

// loadKEK returns the node's key-encryption key: SOIS_MASTER_KEY, else
// master.key in SOIS_DATA_DIR (default ./data). When neither exists but
// the database already holds keys, it refuses rather than generate a new
// key file: that would be the wrong key, and a stray file.
func loadKEK(ctx context.Context, e *Env, db *store.DB) ([]byte, error) {
	cfg, err := config(e)
	if err != nil {
		return nil, err
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = "./data"
	}
	if cfg.MasterKey == "" {
		_, statErr := os.Stat(filepath.Join(dir, signing.KEKFile))
		if errors.Is(statErr, os.ErrNotExist) {
			ring, err := publicKeyring(db, e)
			if err != nil {
				return nil, err
			}
			if keys, err := ring.Keys(ctx); err != nil {
				return nil, err
			} else if len(keys) > 0 {
				return nil, fmt.Errorf("no key-encryption key: SOIS_MASTER_KEY is unset and %s does not exist; set SOIS_MASTER_KEY, or SOIS_DATA_DIR to the node's data folder",
					filepath.Join(dir, signing.KEKFile))
			}
		}
	}
	return signing.LoadKEK(cfg.MasterKey, dir)
}
