package oauth

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/workspace"
)

// CSRFField is the form field the consent form carries Sessions.CSRFToken
// in; Sessions.VerifyCSRF reads it from there.
const CSRFField = "csrf_token"

const maxState = 1000

// authRequest is a validated authorization request.
type authRequest struct {
	client                                  Client
	redirectGiven                           bool // redirect_uri was in the request, so the token request must repeat it
	ClientID, RedirectURI, State, Challenge string
	Method, Resource, ResponseType, Scope   string
}

// givenRedirect is the redirect_uri the token request must repeat: the
// request's own, or "" when it relied on the one registered (OAuth 2.1
// §4.1.3).
func (a authRequest) givenRedirect() string {
	if a.redirectGiven {
		return a.RedirectURI
	}
	return ""
}

// redirectError is an authorization error sent back to the client's
// redirect URI (RFC 6749 §4.1.2.1).
type redirectError struct{ code, description string }

func (e *redirectError) Error() string { return e.code + ": " + e.description }

// parseRequest validates an authorization request. An error of the
// client or its redirect URI is a plain error (shown on a page: the
// browser must not be sent to an unverified URI); anything else a
// *redirectError, once the redirect URI is known to be the client's.
func (s *Server) parseRequest(r *http.Request, v url.Values) (authRequest, error) {
	a := authRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"),
		Challenge: v.Get("code_challenge"), Method: v.Get("code_challenge_method"), Resource: v.Get("resource"),
		ResponseType: v.Get("response_type"), Scope: v.Get("scope")}
	if a.ClientID == "" {
		return a, pageError("client_id is missing")
	}
	var c Client
	var err error
	if s.FetchClient != nil && isDocumentURL(a.ClientID) {
		c, err = s.documentClient(r.Context(), a.ClientID)
	} else {
		c, err = s.Store.GetClient(r.Context(), a.ClientID)
	}
	if isNotFound(err) {
		return a, pageError("this application is not registered with this node; it should register again")
	}
	if err != nil {
		return a, err
	}
	a.client = c
	a.redirectGiven = a.RedirectURI != ""
	if a.RedirectURI == "" && len(c.RedirectURIs) == 1 {
		a.RedirectURI = c.RedirectURIs[0]
	}
	if !slices.Contains(c.RedirectURIs, a.RedirectURI) {
		return a, pageError("redirect_uri does not match any redirect URI this application registered")
	}
	switch {
	case a.ResponseType != "code":
		return a, &redirectError{"unsupported_response_type", `response_type must be "code"`}
	case a.Method != "S256" || !validChallenge(a.Challenge):
		return a, &redirectError{"invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256"}
	case a.Resource == "":
		return a, &redirectError{"invalid_target", "the resource parameter (RFC 8707) is required: " + s.Resource()}
	case !s.sameResource(a.Resource):
		return a, &redirectError{"invalid_target", "resource must be " + s.Resource()}
	case len(a.State) > maxState:
		return a, &redirectError{"invalid_request", fmt.Sprintf("state is longer than %d characters", maxState)}
	}
	return a, nil
}

// pageError is a refusal shown on a page, not sent to a redirect URI.
type pageError string

func (e pageError) Error() string { return string(e) }

// failRequest answers a request parseRequest (or the store) refused.
func (s *Server) failRequest(w http.ResponseWriter, r *http.Request, a authRequest, err error) {
	var re *redirectError
	var pe pageError
	switch {
	case errors.As(err, &re):
		s.redirect(w, r, a, url.Values{"error": {re.code}, "error_description": {re.description}})
	case errors.As(err, &pe):
		s.errorPage(w, r, http.StatusBadRequest, "The application's request is not valid: "+string(pe)+".")
	default:
		s.Log.Error("oauth: authorize", "err", err, "client_id", a.ClientID)
		s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong on this node; try again later.")
	}
}

// redirect sends the browser back to the client with params, state and
// the issuer (RFC 9207).
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, a authRequest, params url.Values) {
	u, _ := url.Parse(a.RedirectURI) // registered, so valid
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if a.State != "" {
		q.Set("state", a.State)
	}
	q.Set("iss", s.base())
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// serveAuthorize is the authorization endpoint: it checks the request,
// sends a browser that is not signed in to the console's sign-in, and
// shows the consent page.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	a, err := s.parseRequest(r, r.URL.Query())
	if err != nil {
		s.failRequest(w, r, a, err)
		return
	}
	m, ok := s.Sessions.Current(r)
	if !ok {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, s.Sessions.SignInURL(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.consentPage(w, r, http.StatusOK, a, m, "", "")
}

// serveConsent takes the consent form: Deny sends the client
// access_denied; Allow with one of the workspace's keys issues a code.
func (s *Server) serveConsent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	m, ok := s.Sessions.Current(r)
	if !ok {
		s.errorPage(w, r, http.StatusUnauthorized, "Your session has expired. Go back to the application and connect again.")
		return
	}
	if err := s.Sessions.VerifyCSRF(r); err != nil {
		s.errorPage(w, r, http.StatusForbidden, "This form has expired or was not sent from this page. Go back to the application and connect again.")
		return
	}
	a, err := s.parseRequest(r, r.PostForm)
	if err != nil {
		s.failRequest(w, r, a, err)
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		s.redirect(w, r, a, url.Values{"error": {"access_denied"}, "error_description": {"the member denied access"}})
		return
	}
	if !mayConsent(m) {
		s.consentPage(w, r, http.StatusForbidden, a, m, "", "Only a workspace owner or admin can connect an assistant.")
		return
	}
	keyID := r.PostForm.Get("key_id")
	k, err := access.GetKey(r.Context(), s.Store.DB, m.WorkspaceID, keyID)
	if err != nil || k.Revoked {
		if err != nil && !isNotFound(err) {
			s.failRequest(w, r, a, err)
			return
		}
		s.consentPage(w, r, http.StatusUnprocessableEntity, a, m, keyID, "Choose one of the workspace's integration keys.")
		return
	}
	code, err := s.Store.Authorize(r.Context(), Consent{WorkspaceID: m.WorkspaceID, MemberID: m.MemberID, KeyID: k.ID,
		ClientID: a.ClientID, RedirectURI: a.givenRedirect(), Resource: s.Resource(), CodeChallenge: a.Challenge})
	if err != nil {
		s.failRequest(w, r, a, err)
		return
	}
	s.redirect(w, r, a, url.Values{"code": {code}})
}

// mayConsent: keys spend the workspace's money, so only those who manage
// keys may hand one to an assistant.
func mayConsent(m Member) bool {
	return m.Role == string(workspace.Owner) || m.Role == string(workspace.Admin)
}

// page renders body in the console's layout with status.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, title string, body template.HTML) {
	w.Header().Set("Cache-Control", "no-store")
	// The Allow button must not be clickable through another site's frame.
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.Sessions.Render(&statusWriter{ResponseWriter: w, status: status}, r, title, body)
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	var b bytes.Buffer
	_ = errorTmpl.Execute(&b, msg)
	s.page(w, r, status, "Cannot connect", template.HTML(b.String()))
}

// statusWriter makes the page's status status whatever the renderer says.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
}

func (w *statusWriter) WriteHeader(int) {
	if !w.written {
		w.written = true
		w.ResponseWriter.WriteHeader(w.status)
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.WriteHeader(w.status)
	return w.ResponseWriter.Write(b)
}
