package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
)

// who may reach a handler.
type need int

const (
	anyMember need = iota // every signed-in member (the page filters by role)
	manager               // owner or admin
)

// maxForm bounds a form body.
const maxForm = 64 << 10

func (c *Console) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("GET "+Path+"/assets/", c.serveAsset())
	m.HandleFunc("GET "+Path+"/signin", c.signInPage)
	m.HandleFunc("POST "+Path+"/signin", c.signIn)
	m.HandleFunc("GET "+Path+"/link", c.linkPage)
	m.HandleFunc("POST "+Path+"/link", c.signInLink)
	m.HandleFunc("POST "+Path+"/signout", c.auth(anyMember, c.signOut))
	m.HandleFunc("GET "+Path, c.auth(anyMember, c.home))
	m.HandleFunc("GET "+Path+"/{$}", c.auth(anyMember, c.home))

	m.HandleFunc("GET "+Path+"/keys", c.auth(manager, c.keysPage))
	m.HandleFunc("POST "+Path+"/keys", c.auth(manager, c.createKey))
	m.HandleFunc("GET "+Path+"/keys/{id}", c.auth(manager, c.keyPage))
	m.HandleFunc("POST "+Path+"/keys/{id}", c.auth(manager, c.updateKey))
	m.HandleFunc("POST "+Path+"/keys/{id}/revoke", c.auth(manager, c.revokeKey))
	m.HandleFunc("POST "+Path+"/keys/{id}/rotate-secret", c.auth(manager, c.rotateSecret))
	m.HandleFunc("POST "+Path+"/keys/{id}/grants/{grant}/revoke", c.auth(manager, c.revokeGrant))
	m.HandleFunc("POST "+Path+"/check-url", c.auth(manager, c.checkURL))

	m.HandleFunc("GET "+Path+"/budgets", c.auth(manager, c.budgetsPage))

	m.HandleFunc("GET "+Path+"/conversations", c.auth(anyMember, c.conversationsPage))
	m.HandleFunc("GET "+Path+"/conversations/{id}", c.auth(anyMember, c.conversationPage))
	m.HandleFunc("GET "+Path+"/records/{kind}/{id}", c.auth(anyMember, c.recordPage))

	m.HandleFunc("GET "+Path+"/deliveries", c.auth(manager, c.deliveriesPage))
	m.HandleFunc("GET "+Path+"/deliveries/{id}", c.auth(manager, c.deliveryPage))
	m.HandleFunc("POST "+Path+"/deliveries/{id}/redeliver", c.auth(manager, c.redeliver))

	m.HandleFunc("GET "+Path+"/peers", c.auth(manager, c.peersPage))
	m.HandleFunc("POST "+Path+"/peers/check", c.auth(manager, c.checkPeer))
	m.HandleFunc("POST "+Path+"/peers/pin", c.auth(manager, c.pinPeer))
	m.HandleFunc("GET "+Path+"/peers/{id}", c.auth(manager, c.peerPage))
	m.HandleFunc("POST "+Path+"/peers/{id}/policy", c.auth(manager, c.setPolicy))
	m.HandleFunc("GET "+Path+"/negotiations/{id}", c.auth(manager, c.negotiationPage))

	m.HandleFunc("GET "+Path+"/members", c.auth(manager, c.membersPage))
	m.HandleFunc("POST "+Path+"/members", c.auth(manager, c.addMember))
	m.HandleFunc("POST "+Path+"/members/{id}/role", c.auth(manager, c.setRole))
	m.HandleFunc("POST "+Path+"/members/{id}/tokens", c.auth(manager, c.createToken))
	m.HandleFunc("POST "+Path+"/members/{id}/link", c.auth(manager, c.createMemberLink))
	m.HandleFunc("POST "+Path+"/tokens/{id}/revoke", c.auth(manager, c.revokeToken))
	m.HandleFunc(Path+"/", func(w http.ResponseWriter, r *http.Request) { c.notFound(w, r) })
	return m
}

// auth wraps h: a session is required (else the sign-in page), every POST
// must carry the session's CSRF token, and managers' handlers refuse
// other roles with 403 — all before h reads or changes anything.
func (c *Console) auth(who need, h func(http.ResponseWriter, *http.Request, Member)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.lookup(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, c.SignInURL(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(w, r, http.StatusUnauthorized, "Signed out", "Your session has ended (signed out, idle or too old). Sign in again; nothing was changed.")
			return
		}
		r = r.WithContext(contextWith(r, s))
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := c.VerifyCSRF(r); err != nil {
				c.fail(w, r, http.StatusForbidden, "Form expired", "The form's security token is missing or does not match your session. Nothing was changed; reload the page and try again.")
				return
			}
		}
		if who == manager && !s.member.Manager() {
			c.forbidden(w, r)
			return
		}
		h(w, r, s.member)
	}
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, m Member) {
	if m.Manager() {
		http.Redirect(w, r, Path+"/keys", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Path+"/conversations", http.StatusSeeOther)
}

type signInData struct {
	Next, Pre, Err, Link string
}

// preToken returns the sign-in forms' double-submit token, setting its
// cookie when there is none.
func (c *Console) preToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 100 {
		return ck.Value
	}
	v := randomToken()
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: v, Path: Path, HttpOnly: true, Secure: c.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: int(time.Hour / time.Second)})
	return v
}

func (c *Console) checkPre(r *http.Request) bool {
	ck, err := r.Cookie(preCookie)
	return err == nil && same(r.PostFormValue("pre"), ck.Value)
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !safeNext(next) {
		next = ""
	}
	if _, ok := c.lookup(r); ok {
		http.Redirect(w, r, orHome(next), http.StatusSeeOther)
		return
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" && r.URL.Query().Get("bounce") == "" {
		// Arriving from another site (an assistant's connector sending the
		// member to the consent page), the browser withholds the
		// SameSite=Strict cookie. Load the page again from here: that
		// navigation is same-site, so a signed-in member is recognised.
		again := c.SignInURL(next)
		if strings.Contains(again, "?") {
			again += "&bounce=1"
		} else {
			again += "?bounce=1"
		}
		w.Header().Set("Refresh", "0; url="+again)
		c.page(w, r, http.StatusOK, "Sign in", "bounce", again)
		return
	}
	if next != "" {
		// A member who signs in with a one-time link from `soisnode console`
		// instead of a token comes back to this next path, too.
		http.SetCookie(w, &http.Cookie{Name: nextCookie, Value: url.QueryEscape(next), Path: Path, HttpOnly: true, Secure: c.secure(r),
			SameSite: http.SameSiteStrictMode, MaxAge: int(LinkTTL / time.Second)})
	}
	c.page(w, r, http.StatusOK, "Sign in", "signin", signInData{Next: next, Pre: c.preToken(w, r)})
}

// nextCookie holds the sign-in page's next path while the member fetches
// a one-time link: the link's page returns there after signing in.
const nextCookie = "sois_console_next"

// linkNext is the next path the sign-in page remembered, or the console's
// home; the cookie is cleared.
func (c *Console) linkNext(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(nextCookie)
	if err != nil {
		return Path + "/"
	}
	http.SetCookie(w, &http.Cookie{Name: nextCookie, Value: "", Path: Path, HttpOnly: true, Secure: c.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	next, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return Path + "/"
	}
	return orHome(next)
}

func orHome(next string) string {
	if safeNext(next) {
		return next
	}
	return Path + "/"
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	next := r.PostFormValue("next")
	if !safeNext(next) {
		next = ""
	}
	d := signInData{Next: next, Pre: c.preToken(w, r)}
	if !c.checkPre(r) {
		d.Err = "The form's security token is missing or wrong. Reload the page and try again."
		c.page(w, r, http.StatusForbidden, "Sign in", "signin", d)
		return
	}
	m, err := access.MemberByToken(r.Context(), c.cfg.DB, r.PostFormValue("token"))
	if err != nil {
		if !errs.Is(err, errs.Unauthorized) {
			c.cfg.Log.Error("console: sign in", "err", err)
		}
		d.Err = "That access token is not valid (mistyped or revoked). Paste a member's sois_tok_… token."
		c.page(w, r, http.StatusUnauthorized, "Sign in", "signin", d)
		return
	}
	if err := c.startSession(r.Context(), w, r, m); err != nil {
		c.cfg.Log.Error("console: sign in", "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Something went wrong", "Could not sign you in; the error is in the node's log.")
		return
	}
	http.Redirect(w, r, orHome(next), http.StatusSeeOther)
}

func (c *Console) linkPage(w http.ResponseWriter, r *http.Request) {
	c.page(w, r, http.StatusOK, "Sign in with a link", "link", signInData{Link: r.URL.Query().Get("t"), Pre: c.preToken(w, r)})
}

func (c *Console) signInLink(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	d := signInData{Pre: c.preToken(w, r)}
	if !c.checkPre(r) {
		d.Err = "The form's security token is missing or wrong. Open the link again."
		c.page(w, r, http.StatusForbidden, "Sign in with a link", "link", d)
		return
	}
	m, err := c.consumeLink(r.Context(), r.PostFormValue("t"))
	if err != nil {
		if !errs.Is(err, errs.Unauthorized) {
			c.cfg.Log.Error("console: sign in with link", "err", err)
		}
		d.Err = errs.Message(errLinkUsed)
		c.page(w, r, http.StatusUnauthorized, "Sign in with a link", "link", d)
		return
	}
	if err := c.startSession(r.Context(), w, r, m); err != nil {
		c.cfg.Log.Error("console: sign in with link", "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Something went wrong", "Could not sign you in; the error is in the node's log.")
		return
	}
	http.Redirect(w, r, c.linkNext(w, r), http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, _ Member) {
	c.endSession(w, r)
	http.Redirect(w, r, Path+"/signin", http.StatusSeeOther)
}
