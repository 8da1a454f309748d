package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/webhook"
)

// fakeGrants is an in-memory Grants.
type fakeGrants struct {
	mu      sync.Mutex
	byWS    map[string][]console.Grant
	revoked []string
}

func (f *fakeGrants) ListGrants(_ context.Context, ws string) ([]console.Grant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]console.Grant(nil), f.byWS[ws]...), nil
}

func (f *fakeGrants) RevokeGrant(_ context.Context, ws, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, g := range f.byWS[ws] {
		if g.ID == id {
			f.byWS[ws] = append(f.byWS[ws][:i], f.byWS[ws][i+1:]...)
			f.revoked = append(f.revoked, id)
			return nil
		}
	}
	return errs.E(errs.NotFound, "no grant %s", id)
}

// TestConnectedAssistants: with a Grants, the Keys page lists each key's
// assistants and revokes one; another workspace's grant, or another
// key's named under this one, is 404 and revokes nothing.
func TestConnectedAssistants(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		grants := &fakeGrants{byWS: map[string][]console.Grant{
			e.a.ws: {{ID: "g1", ClientName: "Claude", KeyID: e.a.key.ID, KeyName: e.a.key.Name, Scopes: []string{"contacts:read"}, CreatedAt: e.clock.Now()},
				{ID: "g3", ClientName: "Inspector", KeyID: "key_other", KeyName: "other", CreatedAt: e.clock.Now()}},
			e.b.ws: {{ID: "g2", ClientName: "ChatGPT", KeyID: e.b.key.ID, KeyName: e.b.key.Name, CreatedAt: e.clock.Now()}},
		}}
		e.withGrants(grants)
		b := e.signedIn(e.a.owner)
		if p := b.get("/console/keys"); !strings.Contains(p.body, "Connected assistants") || !strings.Contains(p.body, "Claude") || strings.Contains(p.body, "ChatGPT") {
			t.Fatalf("keys page: %s", p.body)
		}
		if p := b.send("/console/keys/"+e.a.key.ID+"/grants/g2/revoke", nil); p.status != http.StatusNotFound {
			t.Fatalf("revoking another workspace's grant: %d", p.status)
		}
		if p := b.send("/console/keys/"+e.a.key.ID+"/grants/g3/revoke", nil); p.status != http.StatusNotFound || len(grants.revoked) != 0 {
			t.Fatalf("revoking another key's grant under this key: %d", p.status)
		}
		if p := b.send("/console/keys/"+e.a.key.ID+"/grants/g1/revoke", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", p.status)
		}
		if len(grants.revoked) != 1 || grants.revoked[0] != "g1" {
			t.Fatalf("revoked %v", grants.revoked)
		}
		m := e.signedIn(e.b.member)
		if p := m.send("/console/keys/"+e.b.key.ID+"/grants/g2/revoke", nil); p.status != http.StatusForbidden || len(grants.revoked) != 1 {
			t.Fatalf("a plain member revoking a grant: %d", p.status)
		}
	})
}

// withGrants rebuilds the env's console with grants.
func (e *env) withGrants(g console.Grants) {
	e.t.Helper()
	ring, err := signing.New(e.db, make([]byte, 32), signing.Options{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	budgets := budget.New(e.db, e.clock.Now, budget.Options{})
	e.t.Cleanup(budgets.Close)
	c, err := console.New(console.Config{
		DB: e.db, Now: e.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL: func() string { return e.srv.URL }, CheckURL: webhook.Guard{}.CheckURL,
		Deliveries: webhook.NewQueue(e.db, e.clock.Now), Budgets: budgets, AuditKeys: ring.AuditKeys, Grants: g,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv.Config.Handler = c
	e.c = c
}
