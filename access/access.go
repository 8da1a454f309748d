// Package access owns tenancy and credentials: workspaces, members, access
// tokens (a member's identity) and integration keys (an integration's
// scopes, budgets and response_url). Secrets are shown once at creation,
// stored only as SHA-256 hashes and compared in constant time.
package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/workspace"
)

// Secret prefixes, part of the public contract (DESIGN §2).
const (
	TokenPrefix = "sois_tok_"
	KeyPrefix   = "sois_"
)

// Workspace is a tenant.
type Workspace struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Member is a person in a workspace.
type Member struct {
	ID          string         `json:"id"`
	WorkspaceID string         `json:"workspace_id"`
	Name        string         `json:"name"`
	Email       string         `json:"email"`
	Role        workspace.Role `json:"role"`
	CreatedAt   time.Time      `json:"created_at"`
}

// Token is a member's access token (without its secret).
type Token struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	MemberID    string    `json:"member_id"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	Revoked     bool      `json:"revoked"`
}

// Key is an integration key (without its secret).
type Key struct {
	ID               string      `json:"id"`
	WorkspaceID      string      `json:"workspace_id"`
	Name             string      `json:"name"`
	Scopes           []string    `json:"scopes"`
	ResponseURL      string      `json:"response_url"`
	BudgetDaily      money.Micro `json:"-"`
	BudgetMonthly    money.Micro `json:"-"`
	BudgetTotal      money.Micro `json:"-"`
	ThresholdPercent int         `json:"threshold_percent"`
	CreatedAt        time.Time   `json:"created_at"`
	Revoked          bool        `json:"revoked"`
}

// Principal is an authenticated pair of credentials.
type Principal struct {
	Caller workspace.Caller
	Key    Key
	Member Member
}

var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newSecret returns prefix + 32 random bytes, base32-encoded.
func newSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("access: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return prefix + secretEncoding.EncodeToString(b[:])
}

// NewSecret returns a new secret, prefix + 32 random bytes in base32, for
// other packages' credentials (package oauth's tokens).
func NewSecret(prefix string) string { return newSecret(prefix) }

// HashSecret is the stored form of a secret made by NewSecret.
func HashSecret(secret string) string { return hashSecret(secret) }

// hashSecret is the stored form of a secret.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// sameHash compares two hashes in constant time.
func sameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// LooksLikeToken reports whether s has the shape of an access token.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && len(s) == len(TokenPrefix)+52
}

// LooksLikeKey reports whether s has the shape of an integration key.
func LooksLikeKey(s string) bool {
	return strings.HasPrefix(s, KeyPrefix) && !strings.HasPrefix(s, TokenPrefix) && len(s) == len(KeyPrefix)+52
}
