package oauth

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

const maxFormBytes = 16 << 10

// tokenResponse is a successful token answer (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// serveToken is the token endpoint: authorization_code and refresh_token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	c, ok := s.client(w, r)
	if !ok {
		return
	}
	if res := r.PostForm.Get("resource"); res != "" && !s.sameResource(res) {
		writeError(w, http.StatusBadRequest, "invalid_target", "resource must be "+s.Resource())
		return
	}
	var tokens Tokens
	var err error
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code, verifier := r.PostForm.Get("code"), r.PostForm.Get("code_verifier")
		if code == "" || !validVerifier(verifier) {
			writeError(w, http.StatusBadRequest, "invalid_request", "code and code_verifier (PKCE, 43 to 128 characters) are required")
			return
		}
		tokens, err = s.Store.Exchange(r.Context(), code, c.ID, r.PostForm.Get("redirect_uri"), verifier)
	case "refresh_token":
		refresh := r.PostForm.Get("refresh_token")
		if refresh == "" {
			writeError(w, http.StatusBadRequest, "invalid_request", "refresh_token is required")
			return
		}
		tokens, err = s.Store.Refresh(r.Context(), refresh, c.ID)
	case "":
		writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	if errors.Is(err, errGrant) {
		writeError(w, http.StatusBadRequest, "invalid_grant", strings.TrimPrefix(err.Error(), "oauth: "))
		return
	}
	if err != nil {
		s.Log.Error("oauth: token", "err", err, "client_id", c.ID)
		writeError(w, http.StatusInternalServerError, "server_error", "internal error")
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tokens.Access, TokenType: "Bearer",
		ExpiresIn: int64(tokens.ExpiresIn.Seconds()), RefreshToken: tokens.Refresh})
}

// serveRevoke is the revocation endpoint (RFC 7009): 200 whether or not
// the token was known.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	c, ok := s.client(w, r)
	if !ok {
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	if err := s.Store.Revoke(r.Context(), token, c.ID); err != nil {
		s.Log.Error("oauth: revoke", "err", err, "client_id", c.ID)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the token could not be revoked now; retry")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// client parses the form and authenticates the client of a token or
// revocation request: its secret by HTTP Basic or in the form for a
// confidential client, its client_id alone for a public one. On failure
// it has answered.
func (s *Server) client(w http.ResponseWriter, r *http.Request) (Client, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return Client{}, false
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: the Basic credentials are form-encoded.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		if f := r.PostForm.Get("client_id"); f != "" && f != id {
			writeError(w, http.StatusBadRequest, "invalid_request", "client_id in the form and in Authorization differ")
			return Client{}, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	unknown := func() (Client, bool) {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="soisnode"`)
		}
		writeError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong client credentials; register again")
		return Client{}, false
	}
	if id == "" {
		return unknown()
	}
	c, err := s.Store.GetClient(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return unknown()
		}
		s.Log.Error("oauth: client", "err", err)
		writeError(w, http.StatusInternalServerError, "server_error", "internal error")
		return Client{}, false
	}
	if c.secretHash == "" {
		if secret != "" {
			return unknown()
		}
		return c, true
	}
	if subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(c.secretHash)) != 1 {
		return unknown()
	}
	return c, true
}

// sameResource reports whether a resource parameter names this node's
// /mcp (a trailing slash aside).
func (s *Server) sameResource(res string) bool {
	return strings.TrimSuffix(res, "/") == s.Resource()
}
