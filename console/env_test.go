package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/conversation"
	micro "github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tenant is one workspace with an owner, an admin, a plain member, a key,
// a conversation of each member and a delivery.
type tenant struct {
	ws                    string
	owner, admin, member  access.Member
	memberToken           string
	memberTokenID         string
	key                   access.Key
	ownerConv, memberConv string
	delivery              string
}

// env is a console on a real database, served by httptest.
type env struct {
	t     *testing.T
	db    *store.DB
	clock *clock
	c     *console.Console
	srv   *httptest.Server
	ring  *signing.Keyring // this node's signing keys
	a, b  tenant
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := &env{t: t, db: db, clock: &clock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}}
	ring, err := signing.New(db, make([]byte, 32), signing.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.ring = ring
	budgets := budget.New(db, e.clock.Now, budget.Options{})
	t.Cleanup(budgets.Close)
	box, err := signing.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	var base string
	e.c, err = console.New(console.Config{
		DB: db, Now: e.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL: func() string { return base }, CheckURL: webhook.Guard{}.CheckURL,
		Deliveries: webhook.NewQueue(db, e.clock.Now), Budgets: budgets, AuditKeys: ring.AuditKeys, NodeID: "node-test",
		Secrets: &webhook.Secrets{DB: db, Sealer: box, Now: e.clock.Now},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Path, e.c)
	mux.Handle(console.Path+"/", e.c)
	e.srv = httptest.NewServer(mux)
	base = e.srv.URL
	t.Cleanup(e.srv.Close)
	e.a, e.b = e.tenant("A"), e.tenant("B")
	return e
}

func (e *env) tenant(name string) tenant {
	t := e.t
	ctx := context.Background()
	now := e.clock.Now()
	var tn tenant
	err := e.db.InTx(ctx, func(tx store.Tx) error {
		ws, err := access.CreateWorkspace(ctx, tx, "Workspace "+name, now)
		if err != nil {
			return err
		}
		tn.ws = ws.ID
		lower := strings.ToLower(name)
		if tn.owner, err = access.AddMember(ctx, tx, ws.ID, "Owner "+name, "owner@"+lower+".example", workspace.Owner, now); err != nil {
			return err
		}
		if tn.admin, err = access.AddMember(ctx, tx, ws.ID, "Admin "+name, "admin@"+lower+".example", workspace.Admin, now); err != nil {
			return err
		}
		if tn.member, err = access.AddMember(ctx, tx, ws.ID, "Member "+name, "member@"+lower+".example", workspace.Member, now); err != nil {
			return err
		}
		tok, secret, err := access.CreateToken(ctx, tx, ws.ID, tn.member.ID, "laptop", now)
		if err != nil {
			return err
		}
		tn.memberToken, tn.memberTokenID = secret, tok.ID
		if tn.key, _, err = access.CreateKey(ctx, tx, ws.ID, access.KeyParams{Name: "Key " + name, BudgetDaily: dollarsOf(1), BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, now); err != nil {
			return err
		}
		noop := func(context.Context, store.Tx, string, int) error { return nil }
		s, err := conversation.Submit(ctx, tx, conversation.SubmitParams{WorkspaceID: ws.ID, KeyID: tn.key.ID, MemberID: tn.owner.ID, Message: "owner's question " + name, Now: now}, noop)
		if err != nil {
			return err
		}
		tn.ownerConv = s.ConversationID
		if s, err = conversation.Submit(ctx, tx, conversation.SubmitParams{WorkspaceID: ws.ID, KeyID: tn.key.ID, MemberID: tn.member.ID, Message: "member's question " + name, Now: now}, noop); err != nil {
			return err
		}
		tn.memberConv = s.ConversationID
		d, err := webhook.NewDelivery(ws.ID, tn.key.ID, "conversation.completed", "https://hooks.example/"+lower, webhook.Payload{})
		if err != nil {
			return err
		}
		tn.delivery = d.ID
		return webhook.Enqueue(ctx, tx, d)
	})
	if err != nil {
		t.Fatalf("tenant %s: %v", name, err)
	}
	return tn
}

func dollarsOf(dollars int64) micro.Micro { return micro.Micro(dollars) * micro.Dollar }

// browser is a client with its own cookie jar that follows no redirects.
type browser struct {
	e   *env
	c   *http.Client
	jar http.CookieJar
}

// signedIn is a new browser signed in as m.
func (e *env) signedIn(m access.Member) *browser {
	e.t.Helper()
	b := e.browser()
	b.signIn(m)
	return b
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// reply is a response with its body.
type reply struct {
	status int
	header http.Header
	body   string
}

func (b *browser) get(path string) reply {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.srv.URL + path)
	if err != nil {
		b.e.t.Fatalf("GET %s: %v", path, err)
	}
	return read(b.e.t, resp)
}

func (b *browser) post(path string, form url.Values) reply {
	b.e.t.Helper()
	resp, err := b.c.PostForm(b.e.srv.URL+path, form)
	if err != nil {
		b.e.t.Fatalf("POST %s: %v", path, err)
	}
	return read(b.e.t, resp)
}

func read(t *testing.T, resp *http.Response) reply {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var preField = regexp.MustCompile(`name="pre" value="([^"]+)"`)

// csrf is the session's token, read from a page's form as a browser would.
func (b *browser) csrf() string {
	b.e.t.Helper()
	p := b.get("/console/conversations")
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.e.t.Fatalf("no csrf field on the conversations page (%d)", p.status)
	}
	return m[1]
}

// send posts form with the session's CSRF token.
func (b *browser) send(path string, form url.Values) reply {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.post(path, form)
}

// signIn signs b in as m with a fresh one-time link.
func (b *browser) signIn(m access.Member) {
	b.e.t.Helper()
	secret, _, err := console.CreateLink(context.Background(), b.e.db, m.WorkspaceID, m.ID, b.e.clock.Now())
	if err != nil {
		b.e.t.Fatal(err)
	}
	if p := b.useLink(secret); p.status != http.StatusSeeOther {
		b.e.t.Fatalf("sign in with a link: %d %s", p.status, p.body)
	}
}

// useLink opens a link's page and presses its button.
func (b *browser) useLink(secret string) reply {
	b.e.t.Helper()
	p := b.get(console.LinkPath(secret))
	m := preField.FindStringSubmatch(p.body)
	if m == nil {
		b.e.t.Fatalf("link page without its form: %d %s", p.status, p.body)
	}
	return b.post("/console/link", url.Values{"pre": {m[1]}, "t": {secret}})
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
