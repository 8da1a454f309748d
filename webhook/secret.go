package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/soisnode/soisnode/store"
)

// Standard Webhooks symmetric secrets (DESIGN §5). Each integration key has
// a secret; every delivery for the key carries "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" under it, which the released Standard Webhooks
// libraries verify, beside the node's "v1a" Ed25519 signature.
const (
	// SecretPrefix starts every webhook secret, as Standard Webhooks expects.
	SecretPrefix = "whsec_"
	// SecretSize is the number of random bytes in a new secret (the
	// specification allows 24 to 64).
	SecretSize = 32
	// SecretGrace is how long a rotated-out secret keeps signing, so a
	// receiver can switch to the new one without rejecting deliveries.
	SecretGrace = 24 * time.Hour
)

// Sealer encrypts secrets at rest; *signing.Box implements it.
type Sealer interface {
	Seal(label string, plain []byte) ([]byte, error)
	Open(label string, sealed []byte) ([]byte, error)
}

// SecretSource gives the secrets a key's deliveries are signed with.
type SecretSource interface {
	// KeySecrets returns the key's secrets still in force, newest first;
	// none for a key that has no secret yet.
	KeySecrets(ctx context.Context, keyID string) ([][]byte, error)
}

// Secrets stores integration keys' webhook secrets, sealed, in the
// webhook_secrets table.
type Secrets struct {
	DB     store.Querier
	Sealer Sealer
	Now    func() time.Time // default time.Now
}

var _ SecretSource = (*Secrets)(nil)

func (s *Secrets) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func secretLabel(keyID, id string) string { return "whsec:" + keyID + ":" + id }

// Create gives keyID a new current secret, written with q (the
// transaction creating the key), and returns it as "whsec_…": the only
// time it is shown.
func (s *Secrets) Create(ctx context.Context, q store.Querier, keyID string) (string, error) {
	raw := make([]byte, SecretSize)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("webhook: generate secret: %w", err)
	}
	id := store.NewID()
	sealed, err := s.Sealer.Seal(secretLabel(keyID, id), raw)
	if err != nil {
		return "", fmt.Errorf("webhook: seal secret: %w", err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO webhook_secrets (id, key_id, secret_enc, created_at) VALUES (?, ?, ?, ?)`,
		id, keyID, sealed, store.Micros(s.now())); err != nil {
		return "", fmt.Errorf("webhook: store secret: %w", err)
	}
	return FormatSecret(raw), nil
}

// Rotate replaces keyID's current secret with a new one, in tx: the old
// one keeps signing until grace has passed (0 ends it at once), secrets
// already past their grace are deleted. It returns the new secret and when
// the previous one stops signing (zero when the key had none). The caller
// has checked that keyID names a key of its workspace.
func (s *Secrets) Rotate(ctx context.Context, tx store.Querier, keyID string, grace time.Duration) (string, time.Time, error) {
	if grace < 0 {
		return "", time.Time{}, errors.New("webhook: grace must not be negative")
	}
	// Lock the key's row first so concurrent rotations of one key queue
	// behind each other: without it, two PostgreSQL transactions could each
	// find no current secret to retire and both leave theirs current.
	if _, err := tx.Exec(ctx, `UPDATE api_keys SET id = id WHERE id = ?`, keyID); err != nil {
		return "", time.Time{}, fmt.Errorf("webhook: rotate secret: lock key: %w", err)
	}
	now := s.now()
	until := now.Add(grace)
	if _, err := tx.Exec(ctx, `DELETE FROM webhook_secrets WHERE key_id = ? AND expires_at > 0 AND expires_at <= ?`,
		keyID, store.Micros(now)); err != nil {
		return "", time.Time{}, fmt.Errorf("webhook: rotate secret: %w", err)
	}
	n, err := tx.Exec(ctx, `UPDATE webhook_secrets SET expires_at = ? WHERE key_id = ? AND expires_at = 0`, store.Micros(until), keyID)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("webhook: rotate secret: %w", err)
	}
	secret, err := s.Create(ctx, tx, keyID)
	if err != nil {
		return "", time.Time{}, err
	}
	if n == 0 {
		until = time.Time{}
	}
	return secret, until, nil
}

// KeySecrets returns keyID's secrets still in force, newest first.
func (s *Secrets) KeySecrets(ctx context.Context, keyID string) ([][]byte, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, secret_enc FROM webhook_secrets
		WHERE key_id = ? AND (expires_at = 0 OR expires_at > ?) ORDER BY created_at DESC, id DESC`, keyID, store.Micros(s.now()))
	if err != nil {
		return nil, fmt.Errorf("webhook: key secrets: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var id string
		var sealed []byte
		if err := rows.Scan(&id, &sealed); err != nil {
			return nil, fmt.Errorf("webhook: key secrets: %w", err)
		}
		raw, err := s.Sealer.Open(secretLabel(keyID, id), sealed)
		if err != nil {
			return nil, fmt.Errorf("webhook: key %s secret: %w", keyID, err)
		}
		out = append(out, raw)
	}
	return out, rows.Err()
}

// HasSecret reports whether keyID has a secret in force.
func (s *Secrets) HasSecret(ctx context.Context, q store.Querier, keyID string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM webhook_secrets WHERE key_id = ? AND (expires_at = 0 OR expires_at > ?)`,
		keyID, store.Micros(s.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("webhook: key secrets: %w", err)
	}
	return n > 0, nil
}

// FormatSecret renders raw secret bytes as "whsec_<base64>".
func FormatSecret(raw []byte) string { return SecretPrefix + base64.StdEncoding.EncodeToString(raw) }

// ParseSecret decodes a "whsec_<base64>" secret (the prefix is optional,
// as in the Standard Webhooks libraries).
func ParseSecret(s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), SecretPrefix))
	if err != nil || len(raw) == 0 {
		return nil, errors.New("webhook: a secret is whsec_ followed by base64")
	}
	return raw, nil
}

// SignV1 returns the Standard Webhooks symmetric signature entries for a
// message, one per secret, space-separated: "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>".
func SignV1(secrets [][]byte, id string, at time.Time, body []byte) string {
	var b strings.Builder
	for i, secret := range secrets {
		if i > 0 {
			b.WriteByte(' ')
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(id))
		mac.Write([]byte{'.'})
		mac.Write([]byte(strconv.FormatInt(at.Unix(), 10)))
		mac.Write([]byte{'.'})
		mac.Write(body)
		b.WriteString("v1,")
		b.WriteString(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return b.String()
}
