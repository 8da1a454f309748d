package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/soisnode/soisnode/access"
)

// Prefixes of the secrets the authorization server issues. They tell a
// leaked secret's kind at a glance (secret scanners) and let /mcp tell an
// OAuth access token from a member's access token without a lookup.
const (
	AccessTokenPrefix  = "sois_oat_"
	refreshTokenPrefix = "sois_ort_"
	codePrefix         = "sois_oac_"
	clientSecretPrefix = "sois_ocs_"
)

// newSecret returns prefix + 32 random bytes (256 bits), base32-encoded.
func newSecret(prefix string) string { return access.NewSecret(prefix) }

// hashSecret is the stored form of a secret: its SHA-256, hex. The
// secrets carry 256 random bits, so an unsalted fast hash is enough.
func hashSecret(secret string) string { return access.HashSecret(secret) }

// IsAccessToken reports whether s has the shape of an access token this
// server issues.
func IsAccessToken(s string) bool {
	return strings.HasPrefix(s, AccessTokenPrefix) && len(s) == len(AccessTokenPrefix)+52
}

// s256 is the PKCE S256 code challenge of a verifier (RFC 7636 §4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validVerifier reports whether v is a PKCE code verifier: 43 to 128
// characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// validChallenge reports whether c can be an S256 challenge: 43 base64url
// characters.
func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil
}
