package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Lifetimes of what the authorization server issues (docs/oauth.md).
const (
	// CodeTTL is how long an authorization code may wait to be exchanged.
	CodeTTL = 2 * time.Minute
	// AccessTTL is an access token's lifetime.
	AccessTTL = time.Hour
	// RefreshTTL is a refresh token's lifetime; every refresh issues a new
	// one, so a grant lives while it is used at least this often.
	RefreshTTL = 30 * 24 * time.Hour
)

// Store keeps clients, grants, codes and tokens in the node's database.
type Store struct {
	DB  *store.DB
	Now func() time.Time // default time.Now
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Client is a registered OAuth client.
type Client struct {
	ID           string
	Name         string
	RedirectURIs []string
	AuthMethod   string // none, client_secret_post or client_secret_basic
	secretHash   string
	CreatedAt    time.Time
}

// Grant is a connected assistant: a client a member allowed to act on
// /mcp through one of the workspace's integration keys.
type Grant struct {
	ID         string     `json:"id"`
	ClientID   string     `json:"client_id"`
	ClientName string     `json:"client_name"`
	MemberID   string     `json:"member_id"`
	MemberName string     `json:"member_name"`
	KeyID      string     `json:"key_id"`
	KeyName    string     `json:"key_name"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Tokens are what the token endpoint hands out.
type Tokens struct {
	Access    string
	Refresh   string
	ExpiresIn time.Duration
}

// errGrant is the token endpoint's invalid_grant: the code or refresh
// token is unknown, expired, used, revoked, or not this client's.
var errGrant = errors.New("oauth: invalid grant")

// errPKCE is an invalid_grant whose verifier did not match.
var errPKCE = fmt.Errorf("%w: code_verifier does not match the code_challenge", errGrant)

// SaveClient stores a new client; secret is "" for a public client.
func (s *Store) SaveClient(ctx context.Context, c Client, secret string) error {
	uris, _ := json.Marshal(c.RedirectURIs)
	if secret != "" {
		c.secretHash = hashSecret(secret)
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO oauth_clients (id, secret_hash, name, redirect_uris, auth_method, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.secretHash, c.Name, string(uris), c.AuthMethod, store.Micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("oauth: save client: %w", err)
	}
	return nil
}

// upsertClient stores or refreshes a client known by its metadata
// document (a public client: no secret).
func (s *Store) upsertClient(ctx context.Context, c Client) error {
	uris, _ := json.Marshal(c.RedirectURIs)
	_, err := s.DB.Exec(ctx, `INSERT INTO oauth_clients (id, name, redirect_uris, auth_method, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris, auth_method = excluded.auth_method`,
		c.ID, c.Name, string(uris), c.AuthMethod, store.Micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("oauth: save client %s: %w", c.ID, err)
	}
	return nil
}

// GetClient returns a client by id, or a NotFound error.
func (s *Store) GetClient(ctx context.Context, id string) (Client, error) {
	var c Client
	var uris string
	var created int64
	err := s.DB.QueryRow(ctx, `SELECT id, secret_hash, name, redirect_uris, auth_method, created_at FROM oauth_clients WHERE id = ?`, id).
		Scan(&c.ID, &c.secretHash, &c.Name, &uris, &c.AuthMethod, &created)
	if err == store.ErrNoRows {
		return Client{}, errs.E(errs.NotFound, "no client %q", id)
	}
	if err != nil {
		return Client{}, fmt.Errorf("oauth: get client: %w", err)
	}
	if err := json.Unmarshal([]byte(uris), &c.RedirectURIs); err != nil {
		return Client{}, fmt.Errorf("oauth: client %s redirect_uris: %w", id, err)
	}
	c.CreatedAt = store.Time(created)
	return c, nil
}

// Consent is what a member allowed on the consent page.
type Consent struct {
	WorkspaceID, MemberID, KeyID string
	ClientID                     string
	RedirectURI                  string // as the request named it; "" when it relied on the one registered
	Resource                     string // the audience of the tokens
	CodeChallenge                string // S256
}

// Authorize records a consent as a new grant and returns its
// authorization code (shown once, stored hashed).
func (s *Store) Authorize(ctx context.Context, c Consent) (code string, err error) {
	now := s.now()
	code = newSecret(codePrefix)
	err = s.DB.InTx(ctx, func(tx store.Tx) error {
		id := store.NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO oauth_grants (id, workspace_id, member_id, key_id, client_id, resource, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, c.WorkspaceID, c.MemberID, c.KeyID, c.ClientID, c.Resource, store.Micros(now)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO oauth_codes (hash, grant_id, client_id, redirect_uri, code_challenge, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hashSecret(code), id, c.ClientID, c.RedirectURI, c.CodeChallenge, store.Micros(now.Add(CodeTTL)))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("oauth: authorize: %w", err)
	}
	return code, nil
}

// Exchange trades an authorization code for tokens. Anything wrong is
// errGrant and changes nothing, except a code used a second time: that
// revokes its grant, and so every token issued from the code (RFC 6749
// §4.1.2, OAuth 2.1 §4.1.3).
func (s *Store) Exchange(ctx context.Context, code, clientID, redirectURI, verifier string) (Tokens, error) {
	now := s.now()
	var out Tokens
	var refusal error
	err := s.DB.InTx(ctx, func(tx store.Tx) error {
		var grantID, codeClient, codeRedirect, challenge string
		var expires, used int64
		err := tx.QueryRow(ctx, `SELECT grant_id, client_id, redirect_uri, code_challenge, expires_at, used_at FROM oauth_codes WHERE hash = ?`, hashSecret(code)).
			Scan(&grantID, &codeClient, &codeRedirect, &challenge, &expires, &used)
		if err == store.ErrNoRows {
			refusal = errGrant
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case codeClient != clientID:
			refusal = fmt.Errorf("%w: the code was issued to another client", errGrant)
			return nil
		case used != 0:
			refusal = fmt.Errorf("%w: the code was already used; the tokens issued from it are revoked", errGrant)
			return revokeGrant(ctx, tx, grantID, now)
		case now.After(store.Time(expires)):
			refusal = fmt.Errorf("%w: the code has expired", errGrant)
			return nil
		case codeRedirect != "" && codeRedirect != redirectURI: // "": the request relied on the one registered URI
			refusal = fmt.Errorf("%w: redirect_uri does not match the authorization request", errGrant)
			return nil
		case s256(verifier) != challenge:
			refusal = errPKCE
			return nil
		}
		n, err := tx.Exec(ctx, `UPDATE oauth_codes SET used_at = ? WHERE hash = ? AND used_at = 0`, store.Micros(now), hashSecret(code))
		if err != nil {
			return err
		}
		if n == 0 { // a concurrent exchange won: this is the second use
			refusal = fmt.Errorf("%w: the code was already used; the tokens issued from it are revoked", errGrant)
			return revokeGrant(ctx, tx, grantID, now)
		}
		if ok, err := grantUsable(ctx, tx, grantID); err != nil || !ok {
			refusal = fmt.Errorf("%w: the grant was revoked", errGrant)
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE oauth_grants SET exchanged_at = ? WHERE id = ?`, store.Micros(now), grantID); err != nil {
			return err
		}
		out, err = issue(ctx, tx, grantID, clientID, now)
		return err
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("oauth: exchange code: %w", err)
	}
	return out, refusal
}

// Refresh rotates a refresh token: the old one is spent, a new pair is
// issued. A spent refresh token presented again means it leaked (or the
// client lost track): the grant is revoked, and every token with it.
func (s *Store) Refresh(ctx context.Context, refresh, clientID string) (Tokens, error) {
	now := s.now()
	var out Tokens
	var refusal error
	err := s.DB.InTx(ctx, func(tx store.Tx) error {
		var grantID, tokClient, kind string
		var expires, used, revoked int64
		err := tx.QueryRow(ctx, `SELECT grant_id, client_id, kind, expires_at, used_at, revoked_at FROM oauth_tokens WHERE hash = ?`, hashSecret(refresh)).
			Scan(&grantID, &tokClient, &kind, &expires, &used, &revoked)
		if err == store.ErrNoRows || (err == nil && kind != kindRefresh) {
			refusal = errGrant
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case tokClient != clientID:
			refusal = fmt.Errorf("%w: the refresh token was issued to another client", errGrant)
			return nil
		case revoked != 0:
			refusal = fmt.Errorf("%w: the refresh token was revoked", errGrant)
			return nil
		case used != 0:
			refusal = fmt.Errorf("%w: the refresh token was already used; the grant is revoked", errGrant)
			return revokeGrant(ctx, tx, grantID, now)
		case now.After(store.Time(expires)):
			refusal = fmt.Errorf("%w: the refresh token has expired", errGrant)
			return nil
		}
		if ok, err := grantUsable(ctx, tx, grantID); err != nil || !ok {
			refusal = fmt.Errorf("%w: the grant or its integration key was revoked", errGrant)
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE oauth_tokens SET used_at = ? WHERE hash = ? AND used_at = 0`, store.Micros(now), hashSecret(refresh))
		if err != nil {
			return err
		}
		if n == 0 {
			refusal = fmt.Errorf("%w: the refresh token was already used; the grant is revoked", errGrant)
			return revokeGrant(ctx, tx, grantID, now)
		}
		out, err = issue(ctx, tx, grantID, clientID, now)
		return err
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("oauth: refresh: %w", err)
	}
	return out, refusal
}

const (
	kindAccess  = "access"
	kindRefresh = "refresh"
)

// issue stores and returns a new access and refresh token of a grant.
func issue(ctx context.Context, tx store.Tx, grantID, clientID string, now time.Time) (Tokens, error) {
	t := Tokens{Access: newSecret(AccessTokenPrefix), Refresh: newSecret(refreshTokenPrefix), ExpiresIn: AccessTTL}
	for _, row := range []struct {
		secret, kind string
		ttl          time.Duration
	}{{t.Access, kindAccess, AccessTTL}, {t.Refresh, kindRefresh, RefreshTTL}} {
		if _, err := tx.Exec(ctx, `INSERT INTO oauth_tokens (hash, kind, grant_id, client_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hashSecret(row.secret), row.kind, grantID, clientID, store.Micros(now.Add(row.ttl)), store.Micros(now)); err != nil {
			return Tokens{}, err
		}
	}
	return t, nil
}

// grantUsable reports whether a grant and its integration key are both
// unrevoked.
func grantUsable(ctx context.Context, q store.Querier, grantID string) (bool, error) {
	var revoked int64
	var ws, keyID string
	if err := q.QueryRow(ctx, `SELECT revoked_at, workspace_id, key_id FROM oauth_grants WHERE id = ?`, grantID).Scan(&revoked, &ws, &keyID); err != nil {
		return false, err
	}
	if revoked != 0 {
		return false, nil
	}
	k, err := access.GetKey(ctx, q, ws, keyID)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	return err == nil && !k.Revoked, err
}

func revokeGrant(ctx context.Context, q store.Querier, grantID string, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, store.Micros(now), grantID)
	return err
}

// Revoke revokes a token presented to /oauth/revoke by the client it was
// issued to (RFC 7009): an access token alone, a refresh token with its
// whole grant. An unknown token, or another client's, changes nothing.
func (s *Store) Revoke(ctx context.Context, token, clientID string) error {
	now := s.now()
	var grantID, tokClient, kind string
	err := s.DB.QueryRow(ctx, `SELECT grant_id, client_id, kind FROM oauth_tokens WHERE hash = ?`, hashSecret(token)).Scan(&grantID, &tokClient, &kind)
	if err == store.ErrNoRows || (err == nil && tokClient != clientID) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("oauth: revoke: %w", err)
	}
	if kind == kindRefresh {
		err = revokeGrant(ctx, s.DB, grantID, now)
	} else {
		_, err = s.DB.Exec(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at = 0`, store.Micros(now), hashSecret(token))
	}
	if err != nil {
		return fmt.Errorf("oauth: revoke: %w", err)
	}
	return nil
}

// errToken is the one answer /mcp gets for any access token it refuses.
var errToken = errs.E(errs.Unauthorized, "invalid, expired or revoked access token for this resource; authorize again")

// Verify resolves an access token presented to resource (this node's /mcp
// URL) to the caller it acts as: the consenting member, narrowed by the
// chosen integration key's scopes, exactly as the two static headers would.
// Unknown, expired, revoked, another resource's, or of a revoked grant or
// key: an Unauthorized error that says no more.
func (s *Store) Verify(ctx context.Context, token, resource string) (workspace.Caller, error) {
	if !IsAccessToken(token) {
		return workspace.Caller{}, errToken
	}
	now := s.now()
	var grantID, ws, memberID, keyID, aud, kind string
	var expires, revoked, grantRevoked, lastUsed int64
	err := s.DB.QueryRow(ctx, `SELECT t.kind, t.expires_at, t.revoked_at, g.id, g.workspace_id, g.member_id, g.key_id, g.resource, g.revoked_at, g.last_used_at
		FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id WHERE t.hash = ?`, hashSecret(token)).
		Scan(&kind, &expires, &revoked, &grantID, &ws, &memberID, &keyID, &aud, &grantRevoked, &lastUsed)
	if err == store.ErrNoRows {
		return workspace.Caller{}, errToken
	}
	if err != nil {
		return workspace.Caller{}, fmt.Errorf("oauth: verify: %w", err)
	}
	if kind != kindAccess || revoked != 0 || grantRevoked != 0 || aud != resource || !now.Before(store.Time(expires)) {
		return workspace.Caller{}, errToken
	}
	k, err := access.GetKey(ctx, s.DB, ws, keyID)
	if err != nil || k.Revoked {
		return workspace.Caller{}, unlessOutage(err)
	}
	m, err := access.GetMember(ctx, s.DB, ws, memberID)
	if err != nil {
		return workspace.Caller{}, unlessOutage(err)
	}
	// Last use is for the console's list; a minute's precision spares a
	// write per request.
	if now.Sub(store.Time(lastUsed)) > time.Minute {
		if _, err := s.DB.Exec(ctx, `UPDATE oauth_grants SET last_used_at = ? WHERE id = ?`, store.Micros(now), grantID); err != nil {
			return workspace.Caller{}, fmt.Errorf("oauth: verify: %w", err)
		}
	}
	return workspace.Caller{WorkspaceID: ws, MemberID: m.ID, Role: m.Role, KeyID: k.ID, Scopes: k.Scopes}, nil
}

// unlessOutage is errToken for a missing row, the error itself otherwise.
func unlessOutage(err error) error {
	if err == nil || errs.Is(err, errs.NotFound) {
		return errToken
	}
	return err
}

// ListGrants returns a workspace's connected assistants, newest first:
// grants whose code was exchanged and that are not revoked, on keys that
// are not revoked.
func (s *Store) ListGrants(ctx context.Context, workspaceID string) ([]Grant, error) {
	rows, err := s.DB.Query(ctx, `SELECT g.id, g.client_id, c.name, g.member_id, m.name, g.key_id, g.created_at, g.last_used_at
		FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id JOIN members m ON m.id = g.member_id
		WHERE g.workspace_id = ? AND g.revoked_at = 0 AND g.exchanged_at <> 0 ORDER BY g.created_at DESC, g.id DESC`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("oauth: list grants: %w", err)
	}
	var out []Grant
	for rows.Next() {
		var g Grant
		var created, used int64
		if err := rows.Scan(&g.ID, &g.ClientID, &g.ClientName, &g.MemberID, &g.MemberName, &g.KeyID, &created, &used); err != nil {
			rows.Close()
			return nil, fmt.Errorf("oauth: list grants: %w", err)
		}
		g.CreatedAt = store.Time(created)
		if used != 0 {
			t := store.Time(used)
			g.LastUsedAt = &t
		}
		out = append(out, g)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("oauth: list grants: %w", err)
	}
	live := out[:0]
	for _, g := range out {
		k, err := access.GetKey(ctx, s.DB, workspaceID, g.KeyID)
		if err != nil {
			return nil, fmt.Errorf("oauth: list grants: %w", err)
		}
		if k.Revoked {
			continue
		}
		g.KeyName, g.Scopes = k.Name, k.Scopes
		live = append(live, g)
	}
	return live, nil
}

// RevokeGrant revokes a workspace's grant by id: every token issued under
// it stops working at once. Revoking twice is not an error; another
// workspace's grant is NotFound.
func (s *Store) RevokeGrant(ctx context.Context, workspaceID, grantID string) error {
	n, err := s.DB.Exec(ctx, `UPDATE oauth_grants SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END WHERE id = ? AND workspace_id = ?`,
		store.Micros(s.now()), grantID, workspaceID)
	if err != nil {
		return fmt.Errorf("oauth: revoke grant: %w", err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "no connected assistant %q in this workspace", grantID)
	}
	return nil
}

func isNotFound(err error) bool { return errs.Is(err, errs.NotFound) }
