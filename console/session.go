package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

const (
	// sessionCookie holds the session's secret; its SHA-256 is the row id.
	sessionCookie = "sois_console"
	// preCookie is the double-submit token of the sign-in forms, which run
	// before there is a session (login CSRF).
	preCookie = "sois_console_pre"
	// touchEvery limits how often a request moves last_seen_at.
	touchEvery = time.Minute
)

// ErrCSRF is VerifyCSRF's answer to a missing or wrong token.
var ErrCSRF = errors.New("console: the form's security token is missing or does not match this session; reload the page and try again")

type sessionKey struct{}

// session is a signed-in browser.
type session struct {
	id     string // hash of the cookie
	csrf   string
	member Member
}

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("console: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func same(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// secure reports whether cookies must be Secure: the request came over
// https, or the node's public URL is https (behind a TLS proxy).
func (c *Console) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(strings.ToLower(c.cfg.BaseURL()), "https://")
}

// startSession signs m in: a new session row and its cookie.
func (c *Console) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, m access.Member) error {
	secret := randomToken()
	now := c.now()
	_, err := c.cfg.DB.Exec(ctx, `INSERT INTO console_sessions (id, workspace_id, member_id, csrf, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hashOf(secret), m.WorkspaceID, m.ID, randomToken(), store.Micros(now), store.Micros(now), store.Micros(now.Add(c.cfg.MaxAge)))
	if err != nil {
		return fmt.Errorf("console: start session: %w", err)
	}
	_, _ = c.cfg.DB.Exec(ctx, `DELETE FROM console_sessions WHERE expires_at < ?`, store.Micros(now))
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: c.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: int(c.cfg.MaxAge / time.Second)})
	return nil
}

// lookup returns the live session of r's cookie, moving its idle clock.
func (c *Console) lookup(r *http.Request) (session, bool) {
	if s, ok := r.Context().Value(sessionKey{}).(session); ok {
		return s, true
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return session{}, false
	}
	ctx := r.Context()
	s := session{id: hashOf(ck.Value)}
	var seen, expires int64
	err = c.cfg.DB.QueryRow(ctx, `SELECT s.csrf, s.last_seen_at, s.expires_at, m.id, m.workspace_id, m.name, m.role
		FROM console_sessions s JOIN members m ON m.id = s.member_id AND m.workspace_id = s.workspace_id WHERE s.id = ?`, s.id).
		Scan(&s.csrf, &seen, &expires, &s.member.MemberID, &s.member.WorkspaceID, &s.member.Name, &s.member.Role)
	if err != nil {
		if err != store.ErrNoRows {
			c.cfg.Log.Error("console: read session", "err", err)
		}
		return session{}, false
	}
	now := c.now()
	if !now.Before(store.Time(expires)) || now.Sub(store.Time(seen)) >= c.cfg.Idle {
		_, _ = c.cfg.DB.Exec(ctx, `DELETE FROM console_sessions WHERE id = ?`, s.id)
		return session{}, false
	}
	if now.Sub(store.Time(seen)) >= touchEvery {
		_, _ = c.cfg.DB.Exec(ctx, `UPDATE console_sessions SET last_seen_at = ? WHERE id = ?`, store.Micros(now), s.id)
	}
	return s, true
}

// Current returns the member signed in on r, if any.
func (c *Console) Current(r *http.Request) (Member, bool) {
	s, ok := c.lookup(r)
	return s.member, ok
}

// CSRFToken is the token forms of r's session must carry in the field
// "csrf" ("" without a session).
func (c *Console) CSRFToken(r *http.Request) string {
	s, _ := c.lookup(r)
	return s.csrf
}

// VerifyCSRF checks the form field "csrf" (or the X-CSRF-Token header)
// against r's session: ErrCSRF when it is missing, forged or another
// session's, or when r has no session.
func (c *Console) VerifyCSRF(r *http.Request) error {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return c.CheckCSRF(r, got)
}

// CheckCSRF checks token, taken from a form by its caller (the OAuth
// consent form names its field differently), against r's session: ErrCSRF
// when it is empty, forged or another session's, or when r has no session.
func (c *Console) CheckCSRF(r *http.Request, token string) error {
	s, ok := c.lookup(r)
	if !ok || token == "" || !same(token, s.csrf) {
		return ErrCSRF
	}
	return nil
}

// SignInURL is the console's sign-in page returning to next after
// sign-in; next must be a local path (else the console's home is used).
func (c *Console) SignInURL(next string) string {
	u := Path + "/signin"
	if safeNext(next) {
		u += "?next=" + urlQueryEscape(next)
	}
	return u
}

// safeNext accepts only a local absolute path: no scheme, no host, no
// protocol-relative "//" or "/\" that a browser would send elsewhere.
func safeNext(next string) bool {
	if next == "" || len(next) > 2000 || next[0] != '/' {
		return false
	}
	if strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return false
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return false
		}
	}
	return true
}

// endSession deletes r's session and its cookie.
func (c *Console) endSession(w http.ResponseWriter, r *http.Request) {
	if s, ok := c.lookup(r); ok {
		_, _ = c.cfg.DB.Exec(r.Context(), `DELETE FROM console_sessions WHERE id = ?`, s.id)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: c.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// CreateLink makes a one-time sign-in link secret for a member of the
// workspace: usable once, until the returned time (LinkTTL from now).
// `soisnode console` and the Members page print BaseURL + LinkPath(secret).
func CreateLink(ctx context.Context, q store.Querier, workspaceID, memberID string, now time.Time) (string, time.Time, error) {
	m, err := access.GetMember(ctx, q, workspaceID, memberID)
	if err != nil {
		return "", time.Time{}, err
	}
	secret := randomToken()
	expires := now.Add(LinkTTL).UTC()
	_, err = q.Exec(ctx, `INSERT INTO console_links (hash, workspace_id, member_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashOf(secret), workspaceID, m.ID, store.Micros(now), store.Micros(expires))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("console: create link: %w", err)
	}
	_, _ = q.Exec(ctx, `DELETE FROM console_links WHERE expires_at < ?`, store.Micros(now.Add(-24*time.Hour)))
	return secret, expires, nil
}

// LinkPath is the path of a one-time link's page (the secret travels in
// the query, which the node's request log leaves out).
func LinkPath(secret string) string { return Path + "/link?t=" + urlQueryEscape(secret) }

// errLinkUsed is every failure of a one-time link: unknown, used or expired.
var errLinkUsed = errs.E(errs.Unauthorized, "this sign-in link is not valid: it was already used, has expired, or was mistyped. Run `soisnode console` for a new one")

// consumeLink spends a link exactly once and returns its member.
func (c *Console) consumeLink(ctx context.Context, secret string) (access.Member, error) {
	if secret == "" || len(secret) > 100 {
		return access.Member{}, errLinkUsed
	}
	var m access.Member
	err := c.cfg.DB.InTx(ctx, func(tx store.Tx) error {
		now := store.Micros(c.now())
		h := hashOf(secret)
		n, err := tx.Exec(ctx, `UPDATE console_links SET used_at = ? WHERE hash = ? AND used_at = 0 AND expires_at > ?`, now, h, now)
		if err != nil {
			return fmt.Errorf("console: use link: %w", err)
		}
		if n != 1 {
			return errLinkUsed
		}
		var ws, member string
		if err := tx.QueryRow(ctx, `SELECT workspace_id, member_id FROM console_links WHERE hash = ?`, h).Scan(&ws, &member); err != nil {
			return fmt.Errorf("console: use link: %w", err)
		}
		m, err = access.GetMember(ctx, tx, ws, member)
		return err
	})
	return m, err
}

// contextWith is r's context carrying the session s, so a handler's further
// lookups read no row.
func contextWith(r *http.Request, s session) context.Context {
	return context.WithValue(r.Context(), sessionKey{}, s)
}
