package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// webhookSecrets returns the store of integration keys' webhook secrets,
// sealed under the node's key-encryption key. Decrypting the signing keys
// first proves it is the key the node uses (a secret sealed under another
// key would be useless to the node).
func webhookSecrets(ctx context.Context, e *Env, db *store.DB) (*webhook.Secrets, error) {
	ring, kek, err := nodeKeyring(ctx, e, db)
	if err != nil {
		return nil, err
	}
	if err := ring.Ensure(ctx); err != nil {
		return nil, err
	}
	box, err := signing.NewBox(kek)
	if err != nil {
		return nil, err
	}
	return &webhook.Secrets{DB: db, Sealer: box, Now: e.Now}, nil
}

// optionalWebhookSecrets is webhookSecrets for verbs that create keys:
// when the node's key-encryption key cannot be had here (another data
// folder, no SOIS_MASTER_KEY), the key is still created, without a webhook
// secret, and stderr says how to give it one. Its deliveries then carry
// the v1a and JWS signatures only.
func optionalWebhookSecrets(ctx context.Context, e *Env, db *store.DB) *webhook.Secrets {
	s, err := webhookSecrets(ctx, e, db)
	if err != nil {
		fmt.Fprintf(e.Stderr, "soisnode: warning: the key gets no webhook secret: %v\n"+
			"  Run `soisnode keys rotate-secret ID` with the node's SOIS_MASTER_KEY or SOIS_DATA_DIR to give it one.\n", err)
		return nil
	}
	return s
}

// createSecret gives a new key its webhook secret in tx, or none without secrets.
func createSecret(ctx context.Context, tx store.Tx, secrets *webhook.Secrets, keyID string) (*string, error) {
	if secrets == nil {
		return nil, nil
	}
	s, err := secrets.Create(ctx, tx, keyID)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// rotateKeySecret gives key id a new webhook secret and prints it once;
// the previous secret keeps signing for webhook.SecretGrace. An unknown or
// revoked key is refused with nothing written.
func rotateKeySecret(ctx context.Context, e *Env, db *store.DB, ws, id string, asJSON bool) error {
	// Check the key before touching the key-encryption key, so a typo
	// never creates a key file.
	k, err := access.GetKey(ctx, db, ws, id)
	if err != nil {
		return err
	}
	if k.Revoked {
		return errs.E(errs.Invalid, "key %s is revoked: nothing to sign for", k.ID)
	}
	secrets, err := webhookSecrets(ctx, e, db)
	if err != nil {
		return err
	}
	var secret string
	var until time.Time
	err = db.InTx(ctx, func(tx store.Tx) error {
		cur, err := access.GetKey(ctx, tx, ws, k.ID)
		if err != nil {
			return err
		}
		if cur.Revoked {
			return errs.E(errs.Invalid, "key %s is revoked: nothing to sign for", k.ID)
		}
		secret, until, err = secrets.Rotate(ctx, tx, k.ID, webhook.SecretGrace)
		return err
	})
	if err != nil {
		return err
	}
	if asJSON {
		out := map[string]any{"id": k.ID, "webhook_secret": secret, "previous_expires_at": nil}
		if !until.IsZero() {
			out["previous_expires_at"] = until.UTC()
		}
		return printJSON(e.Stdout, out)
	}
	fmt.Fprintf(e.Stdout, "Key %s has a new webhook secret (shown once):\n%s\n", k.ID, secret)
	if until.IsZero() {
		fmt.Fprintln(e.Stdout, "It had none before: its deliveries now carry a v1 signature.")
	} else {
		fmt.Fprintf(e.Stdout, "Deliveries are signed with the previous secret too until %s.\n", until.UTC().Format(time.RFC3339))
	}
	return nil
}
