package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// route is one console page or form.
type route struct {
	method, path string
	form         url.Values
}

// managerRoutes are every page and form only owners and admins may reach,
// with valid input for tenant a.
func managerRoutes(a tenant) []route {
	return []route{
		{"GET", "/console/keys", nil},
		{"POST", "/console/keys", url.Values{"name": {"new"}}},
		{"GET", "/console/keys/" + a.key.ID, nil},
		{"POST", "/console/keys/" + a.key.ID, url.Values{"name": {"renamed"}}},
		{"POST", "/console/keys/" + a.key.ID + "/revoke", nil},
		{"POST", "/console/keys/" + a.key.ID + "/rotate-secret", nil},
		{"POST", "/console/check-url", url.Values{"response_url": {"https://example.com/"}}},
		{"GET", "/console/budgets", nil},
		{"GET", "/console/deliveries", nil},
		{"GET", "/console/deliveries/" + a.delivery, nil},
		{"POST", "/console/deliveries/" + a.delivery + "/redeliver", nil},
		{"GET", "/console/peers", nil},
		{"POST", "/console/peers/check", url.Values{"url": {"https://peer.example"}}},
		{"POST", "/console/peers/pin", url.Values{"url": {"https://peer.example"}, "fingerprint": {"x"}}},
		{"GET", "/console/peers/nope", nil},
		{"POST", "/console/peers/nope/policy", url.Values{"max_turns": {"3"}}},
		{"GET", "/console/negotiations/nope", nil},
		{"GET", "/console/members", nil},
		{"POST", "/console/members", url.Values{"name": {"Eve"}, "email": {"eve@a.example"}, "role": {"admin"}}},
		{"POST", "/console/members/" + a.member.ID + "/role", url.Values{"role": {"owner"}}},
		{"POST", "/console/members/" + a.member.ID + "/tokens", url.Values{"name": {"x"}}},
		{"POST", "/console/members/" + a.member.ID + "/link", nil},
		{"POST", "/console/tokens/" + a.memberTokenID + "/revoke", nil},
	}
}

// snapshot counts what the forms could change.
func (e *env) snapshot() string {
	var b strings.Builder
	for _, q := range []string{
		`SELECT count(*) FROM api_keys`, `SELECT count(*) FROM api_keys WHERE revoked_at <> 0`, `SELECT count(*) FROM api_keys WHERE name LIKE 'Key %'`,
		`SELECT count(*) FROM members`, `SELECT count(*) FROM members WHERE role = 'owner'`, `SELECT count(*) FROM access_tokens`,
		`SELECT count(*) FROM access_tokens WHERE revoked_at <> 0`, `SELECT count(*) FROM console_links`, `SELECT count(*) FROM webhook_secrets`,
		`SELECT count(*) FROM peers`, `SELECT count(*) FROM deliveries WHERE attempts = 0 AND status = 'pending'`,
		`SELECT CAST(COALESCE(SUM(next_attempt_at), 0) AS BIGINT) FROM deliveries`,
	} {
		b.WriteString("|" + strconv.Itoa(e.count(q)))
	}
	return b.String()
}

// TestRoles: a plain member reaches no management page or form (403,
// nothing changed) and sees only their own conversations; an owner and an
// admin reach every page.
func TestRoles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		m := e.signedIn(e.a.member)
		before := e.snapshot()
		for _, r := range managerRoutes(e.a) {
			p := m.do(r)
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "Nothing was changed") {
				t.Errorf("member %s %s = %d, want 403 page", r.method, r.path, p.status)
			}
		}
		if after := e.snapshot(); after != before {
			t.Fatalf("a member's refused requests changed something:\n%s\n%s", before, after)
		}
		list := m.get("/console/conversations")
		if list.status != 200 || !strings.Contains(list.body, e.a.memberConv) || strings.Contains(list.body, e.a.ownerConv) {
			t.Fatalf("member's conversation list: %d\n%s", list.status, list.body)
		}
		if p := m.get("/console/conversations/" + e.a.memberConv); p.status != 200 || !strings.Contains(p.body, "member&#39;s question A") {
			t.Fatalf("member's own conversation: %d", p.status)
		}
		if p := m.get("/console/conversations/" + e.a.ownerConv); p.status != http.StatusNotFound {
			t.Fatalf("member reading the owner's conversation: %d", p.status)
		}
		if strings.Contains(list.body, `href="/console/keys"`) {
			t.Fatal("a member's navigation offers the Keys page")
		}

		for _, who := range []access.Member{e.a.owner, e.a.admin} {
			b := e.signedIn(who)
			for _, path := range []string{"/console/keys", "/console/keys/" + e.a.key.ID, "/console/budgets", "/console/conversations",
				"/console/conversations/" + e.a.ownerConv, "/console/conversations/" + e.a.memberConv, "/console/deliveries",
				"/console/deliveries/" + e.a.delivery, "/console/peers", "/console/members"} {
				if p := b.get(path); p.status != 200 {
					t.Errorf("%s GET %s = %d", who.Role, path, p.status)
				}
			}
		}
		// Only an owner makes owners.
		ad := e.signedIn(e.a.admin)
		if p := ad.send("/console/members/"+e.a.member.ID+"/role", url.Values{"role": {"owner"}}); p.status != http.StatusForbidden {
			t.Fatalf("admin making an owner: %d", p.status)
		}
		if n := e.count(`SELECT count(*) FROM members WHERE role = 'owner' AND workspace_id = ?`, e.a.ws); n != 1 {
			t.Fatalf("owners after the admin's attempt: %d", n)
		}
	})
}

// TestCSRF: a form without the token, with a forged one, or with another
// session's is refused and changes nothing; the session's own works.
func TestCSRF(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.signedIn(e.a.owner)
		other := e.signedIn(e.a.admin)
		before := e.count(`SELECT count(*) FROM api_keys`)
		form := func(csrf string) url.Values {
			v := url.Values{"name": {"via csrf"}}
			if csrf != "" {
				v.Set("csrf", csrf)
			}
			return v
		}
		for name, token := range map[string]string{"missing": "", "forged": strings.Repeat("A", 43), "other session's": other.csrf()} {
			if p := owner.post("/console/keys", form(token)); p.status != http.StatusForbidden || !strings.Contains(p.body, "security token") {
				t.Errorf("%s token: %d", name, p.status)
			}
			if p := owner.post("/console/signout", form(token)); p.status != http.StatusForbidden {
				t.Errorf("%s token on sign-out: %d", name, p.status)
			}
		}
		if n := e.count(`SELECT count(*) FROM api_keys`); n != before {
			t.Fatalf("refused forms created keys: %d → %d", before, n)
		}
		if p := owner.post("/console/keys", form(owner.csrf())); p.status != http.StatusCreated {
			t.Fatalf("the session's own token: %d %s", p.status, p.body)
		}
		// The sign-in forms carry a double-submit token instead.
		anon := e.browser()
		if p := anon.post("/console/signin", url.Values{"token": {e.a.memberToken}, "pre": {strings.Repeat("B", 43)}}); p.status != http.StatusForbidden {
			t.Fatalf("sign-in without the pre-session token: %d", p.status)
		}
		if p := anon.get("/console/keys"); p.status != http.StatusSeeOther {
			t.Fatalf("signed in by a forged sign-in form: %d", p.status)
		}
	})
}

// TestSessionExpiry: an idle session and one past its absolute age are
// gone: pages send to sign-in, forms change nothing; sign-out ends one.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.signedIn(e.a.owner)
		token := b.csrf()
		e.clock.Add(console.DefaultIdle + time.Second)
		if p := b.get("/console/keys"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/signin?next=") {
			t.Fatalf("idle session: %d %q", p.status, p.header.Get("Location"))
		}
		before := e.count(`SELECT count(*) FROM api_keys`)
		if p := b.post("/console/keys", url.Values{"csrf": {token}, "name": {"late"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("form of an idle session: %d", p.status)
		}
		if n := e.count(`SELECT count(*) FROM api_keys`); n != before {
			t.Fatal("an expired session created a key")
		}

		// Active every 20 minutes, it still ends at the absolute age.
		b = e.signedIn(e.a.owner)
		for elapsed := time.Duration(0); elapsed < console.DefaultMaxAge-20*time.Minute; elapsed += 20 * time.Minute {
			e.clock.Add(20 * time.Minute)
			if p := b.get("/console/keys"); p.status != 200 {
				t.Fatalf("active session refused after %v: %d", elapsed, p.status)
			}
		}
		e.clock.Add(20 * time.Minute)
		if p := b.get("/console/keys"); p.status != http.StatusSeeOther {
			t.Fatalf("session past its absolute age: %d", p.status)
		}

		b = e.signedIn(e.a.owner)
		if p := b.send("/console/signout", nil); p.status != http.StatusSeeOther {
			t.Fatalf("sign out: %d", p.status)
		}
		if p := b.get("/console/keys"); p.status != http.StatusSeeOther {
			t.Fatalf("after sign-out: %d", p.status)
		}
	})
}

// TestOneTimeLink: a link signs in once; the second use, an expired link
// and a made-up one are refused with one message.
func TestOneTimeLink(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		secret, until, err := console.CreateLink(ctx, db, e.a.ws, e.a.owner.ID, e.clock.Now())
		if err != nil || !until.Equal(e.clock.Now().Add(console.LinkTTL)) {
			t.Fatalf("CreateLink: %v %v", until, err)
		}
		if p := e.browser().useLink(secret); p.status != http.StatusSeeOther {
			t.Fatalf("first use: %d", p.status)
		}
		second := e.browser()
		p := second.useLink(secret)
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "already used") {
			t.Fatalf("second use: %d %s", p.status, p.body)
		}
		if p := second.get("/console/keys"); p.status != http.StatusSeeOther {
			t.Fatalf("the second use signed in: %d", p.status)
		}
		late, _, _ := console.CreateLink(ctx, db, e.a.ws, e.a.owner.ID, e.clock.Now())
		e.clock.Add(console.LinkTTL)
		if p := e.browser().useLink(late); p.status != http.StatusUnauthorized {
			t.Fatalf("expired link: %d", p.status)
		}
		if p := e.browser().useLink("made-up"); p.status != http.StatusUnauthorized {
			t.Fatalf("made-up link: %d", p.status)
		}
		if n := e.count(`SELECT count(*) FROM console_sessions`); n != 1 {
			t.Fatalf("sessions: %d, want the first use's only", n)
		}
		if _, _, err := console.CreateLink(ctx, db, e.a.ws, e.b.owner.ID, e.clock.Now()); err == nil {
			t.Fatal("a link for another workspace's member")
		}
	})
}

// TestLinkReturnsToNext: a member sent to sign in on the way to a page
// (the OAuth consent) who signs in with a one-time link instead of a token
// lands on that page; a foreign next is never followed, and the link
// page alone still lands on the console's home.
func TestLinkReturnsToNext(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for next, want := range map[string]string{
			"/oauth/authorize?client_id=x&state=y": "/oauth/authorize?client_id=x&state=y",
			"//evil.example/x":                     "/console/",
			"":                                     "/console/",
		} {
			b := e.browser()
			b.get("/console/signin?next=" + url.QueryEscape(next))
			secret, _, err := console.CreateLink(context.Background(), db, e.a.ws, e.a.owner.ID, e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			p := b.useLink(secret)
			if p.status != http.StatusSeeOther || p.header.Get("Location") != want {
				t.Fatalf("next %q: %d → %q, want %q", next, p.status, p.header.Get("Location"), want)
			}
			secret, _, _ = console.CreateLink(context.Background(), db, e.a.ws, e.a.owner.ID, e.clock.Now())
			if p := e.browser().useLink(secret); p.header.Get("Location") != "/console/" {
				t.Fatalf("a fresh browser's link: %q", p.header.Get("Location"))
			}
			b.post("/console/signout", url.Values{"csrf": {b.csrf()}})
			secret, _, _ = console.CreateLink(context.Background(), db, e.a.ws, e.a.owner.ID, e.clock.Now())
			if p := b.useLink(secret); p.header.Get("Location") != "/console/" {
				t.Fatalf("the remembered next was used twice: %q", p.header.Get("Location"))
			}
		}
	})
}

// TestSignInWithToken: a member's access token signs in and returns to a
// local next path only; a bad token is refused inline.
func TestSignInWithToken(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for next, want := range map[string]string{
			"/console/conversations": "/console/conversations", "//evil.example/x": "/console/", "https://evil.example/": "/console/", "/\\evil.example": "/console/",
		} {
			b := e.browser()
			p := b.get("/console/signin?next=" + url.QueryEscape(next))
			pre := preField.FindStringSubmatch(p.body)[1]
			bad := b.post("/console/signin", url.Values{"pre": {pre}, "token": {"sois_tok_nope"}, "next": {next}})
			if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, `aria-describedby="token-hint signin-error"`) {
				t.Fatalf("bad token: %d %s", bad.status, bad.body)
			}
			ok := b.post("/console/signin", url.Values{"pre": {pre}, "token": {e.a.memberToken}, "next": {next}})
			if ok.status != http.StatusSeeOther || ok.header.Get("Location") != want {
				t.Fatalf("next %q: %d → %q, want %q", next, ok.status, ok.header.Get("Location"), want)
			}
		}
		if got := e.c.SignInURL("//evil.example"); got != "/console/signin" {
			t.Fatalf("SignInURL of a foreign next: %q", got)
		}
		if got := e.c.SignInURL("/oauth/authorize?client_id=x"); got != "/console/signin?next=%2Foauth%2Fauthorize%3Fclient_id%3Dx" {
			t.Fatalf("SignInURL: %q", got)
		}
	})
}

// TestCrossWorkspace: an owner naming another workspace's records by id
// gets 404 and changes nothing.
func TestCrossWorkspace(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.signedIn(e.a.owner)
		before := e.snapshot()
		for _, r := range []route{
			{"GET", "/console/keys/" + e.b.key.ID, nil},
			{"POST", "/console/keys/" + e.b.key.ID, url.Values{"name": {"stolen"}}},
			{"POST", "/console/keys/" + e.b.key.ID + "/revoke", nil},
			{"POST", "/console/keys/" + e.b.key.ID + "/rotate-secret", nil},
			{"GET", "/console/conversations/" + e.b.ownerConv, nil},
			{"GET", "/console/deliveries/" + e.b.delivery, nil},
			{"POST", "/console/deliveries/" + e.b.delivery + "/redeliver", nil},
			{"POST", "/console/members/" + e.b.member.ID + "/role", url.Values{"role": {"admin"}}},
			{"POST", "/console/members/" + e.b.member.ID + "/tokens", nil},
			{"POST", "/console/members/" + e.b.member.ID + "/link", nil},
			{"POST", "/console/tokens/" + e.b.memberTokenID + "/revoke", nil},
		} {
			p := b.do(r)
			if p.status != http.StatusNotFound {
				t.Errorf("%s %s = %d, want 404", r.method, r.path, p.status)
			}
		}
		if after := e.snapshot(); after != before {
			t.Fatalf("cross-workspace requests changed something:\n%s\n%s", before, after)
		}
		if p := b.get("/console/conversations?key=" + e.b.key.ID); strings.Contains(p.body, e.b.ownerConv) {
			t.Fatal("another workspace's conversations listed")
		}
		if p := b.get("/console/deliveries?key=" + e.b.key.ID); strings.Contains(p.body, e.b.delivery) {
			t.Fatal("another workspace's deliveries listed")
		}
	})
}

// TestKeyForms: a private response URL and bad budgets are refused inline
// (aria-describedby) and create nothing; a good form creates the key with
// its budgets in micro-dollars and shows its secrets once.
func TestKeyForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.signedIn(e.a.owner)
		before := e.snapshot()
		for _, bad := range []struct {
			form  url.Values
			field string
			says  string
		}{
			{url.Values{"name": {"hook"}, "response_url": {"https://127.0.0.1/hook"}}, "key-url", "not allowed"},
			{url.Values{"name": {"hook"}, "response_url": {"https://10.1.2.3/hook"}}, "key-url", "not allowed"},
			{url.Values{"name": {"hook"}, "response_url": {"http://hooks.example/"}}, "key-url", "not allowed"},
			{url.Values{"name": {"b"}, "daily": {"ten"}}, "key-daily", "daily budget"},
			{url.Values{"name": {"b"}, "monthly": {"-1"}}, "key-monthly", "monthly budget"},
			{url.Values{"name": {"b"}, "total": {"1.0000001"}}, "key-total", "total budget"},
			{url.Values{"name": {"b"}, "scopes": {"weather:read"}}, "key-scopes", "scope"},
		} {
			p := b.send("/console/keys", bad.form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, bad.says) || !strings.Contains(p.body, `id="key-error"`) {
				t.Errorf("%v: %d (want 422 saying %q)", bad.form, p.status, bad.says)
			}
			if !strings.Contains(p.body, `id="`+bad.field+`"`) || !strings.Contains(strings.SplitN(strings.SplitN(p.body, `id="`+bad.field+`"`, 2)[1], ">", 2)[0], `key-error"`) {
				t.Errorf("%v: field %s is not described by the error", bad.form, bad.field)
			}
		}
		if p := b.send("/console/keys/"+e.a.key.ID, url.Values{"name": {"x"}, "response_url": {"https://192.168.0.1/"}}); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("update to a private URL: %d", p.status)
		}
		if p := b.send("/console/check-url", url.Values{"response_url": {"https://169.254.169.254/"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "not allowed") {
			t.Fatalf("check-url of a private address: %d %s", p.status, p.body)
		}
		if after := e.snapshot(); after != before {
			t.Fatalf("refused key forms changed something:\n%s\n%s", before, after)
		}
		p := b.send("/console/keys", url.Values{"name": {"CRM"}, "scopes": {"contacts:read, tasks:write"}, "daily": {"$1"}, "monthly": {"2.5"}})
		if p.status != http.StatusCreated || !strings.Contains(p.body, `id="api-key"`) || !strings.Contains(p.body, "/api/agent?wait=30") {
			t.Fatalf("create: %d %s", p.status, p.body)
		}
		var daily, monthly, total int64
		if err := db.QueryRow(context.Background(), `SELECT budget_daily, budget_monthly, budget_total FROM api_keys WHERE name = 'CRM'`).Scan(&daily, &monthly, &total); err != nil {
			t.Fatal(err)
		}
		if daily != 1_000_000 || monthly != 2_500_000 || total != -1 {
			t.Fatalf("budgets stored %d %d %d", daily, monthly, total)
		}
		if keys := b.get("/console/keys"); strings.Contains(keys.body, "sois_") && strings.Contains(keys.body, `id="api-key"`) {
			t.Fatal("the keys list shows a secret again")
		}
	})
}

// TestHeaders: every console response carries the CSP, framing and
// referrer rules, and the session cookie is HttpOnly and SameSite=Strict.
func TestHeaders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		secret, _, _ := console.CreateLink(context.Background(), db, e.a.ws, e.a.owner.ID, e.clock.Now())
		resp := b.useLinkRaw(secret)
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "sois_console" {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure {
			t.Fatalf("session cookie %+v (http: not Secure)", cookie)
		}
		var stored int
		stored = e.count(`SELECT count(*) FROM console_sessions WHERE id = ?`, cookie.Value)
		if stored != 0 {
			t.Fatal("the cookie's value is stored as is")
		}
		for _, path := range []string{"/console/signin", "/console/keys", "/console/nope", "/console/assets/console.css"} {
			p := b.get(path)
			if p.header.Get("Content-Security-Policy") != console.CSP || p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: headers %v", path, p.header)
			}
			if strings.Contains(p.body, "style=") || strings.Contains(p.body, "<script>") {
				t.Errorf("%s: inline style or script", path)
			}
		}
	})
}

func (b *browser) useLinkRaw(secret string) *http.Response {
	b.e.t.Helper()
	p := b.get(console.LinkPath(secret))
	pre := preField.FindStringSubmatch(p.body)[1]
	resp, err := b.c.PostForm(b.e.srv.URL+"/console/link", url.Values{"pre": {pre}, "t": {secret}})
	if err != nil {
		b.e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// do sends r: a GET, or a form with the session's CSRF token.
func (b *browser) do(r route) reply {
	b.e.t.Helper()
	if r.method == http.MethodGet {
		return b.get(r.path)
	}
	return b.send(r.path, r.form)
}

// TestCrossSiteArrival: a sign-in page reached from another site (where
// the browser withholds the Strict cookie) reloads itself from here once.
func TestCrossSiteArrival(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		req, _ := http.NewRequest("GET", e.srv.URL+"/console/signin?next=%2Foauth%2Fauthorize%3Fx%3D1", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		p := read(t, resp)
		want := "0; url=/console/signin?next=%2Foauth%2Fauthorize%3Fx%3D1&bounce=1"
		if p.status != 200 || p.header.Get("Refresh") != want || strings.Contains(p.body, `name="token"`) {
			t.Fatalf("cross-site arrival: %d %q", p.status, p.header.Get("Refresh"))
		}
		req, _ = http.NewRequest("GET", e.srv.URL+"/console/signin?next=%2Fx&bounce=1", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err = b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if p := read(t, resp); p.header.Get("Refresh") != "" || !strings.Contains(p.body, `name="token"`) {
			t.Fatal("the bounce loops")
		}
	})
}
