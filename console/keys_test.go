package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

var whsec = regexp.MustCompile(`id="webhook-secret"[^>]*>(whsec_[^<]+)<`) // html-escaped (+ is &#43;)

// TestKeyLifecycle: a key is created with its webhook secret shown once,
// updated (threshold kept), given a new webhook secret, and revoked; a
// revoked key's form changes nothing.
func TestKeyLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		b := e.signedIn(e.a.owner)
		p := b.send("/console/keys", url.Values{"name": {"Billing"}, "total": {"20"}})
		first := whsec.FindStringSubmatch(p.body)
		if p.status != http.StatusCreated || first == nil {
			t.Fatalf("create: %d %s", p.status, p.body)
		}
		var id string
		if err := db.QueryRow(ctx, `SELECT id FROM api_keys WHERE name = 'Billing'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `UPDATE api_keys SET threshold_percent = 50 WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		if p := b.send("/console/keys/"+id, url.Values{"name": {"Billing v2"}, "total": {""}, "monthly": {"3"}, "scopes": {"tasks:*"}}); p.status != http.StatusSeeOther {
			t.Fatalf("update: %d %s", p.status, p.body)
		}
		k, err := access.GetKey(ctx, db, e.a.ws, id)
		if err != nil || k.Name != "Billing v2" || k.BudgetTotal != -1 || k.BudgetMonthly != 3_000_000 || k.ThresholdPercent != 50 || k.Scopes[0] != "tasks:*" {
			t.Fatalf("after update: %+v %v", k, err)
		}
		if p := b.get("/console/keys/" + id + "?saved=1"); !strings.Contains(p.body, "Saved.") || !strings.Contains(p.body, `value="3.00"`) {
			t.Fatalf("key page after saving: %d", p.status)
		}
		p = b.send("/console/keys/"+id+"/rotate-secret", nil)
		second := whsec.FindStringSubmatch(p.body)
		if p.status != 200 || second == nil || second[1] == first[1] || !strings.Contains(p.body, "previous secret until") {
			t.Fatalf("rotate: %d %s", p.status, p.body)
		}
		if p := b.send("/console/keys/"+id+"/revoke", nil); p.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", p.status)
		}
		if k, _ := access.GetKey(ctx, db, e.a.ws, id); !k.Revoked {
			t.Fatal("not revoked")
		}
		before := e.snapshot()
		if p := b.send("/console/keys/"+id, url.Values{"name": {"again"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "revoked") {
			t.Fatalf("update of a revoked key: %d", p.status)
		}
		if p := b.send("/console/keys/"+id+"/rotate-secret", nil); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("rotate of a revoked key: %d", p.status)
		}
		if after := e.snapshot(); after != before {
			t.Fatalf("forms on a revoked key changed something:\n%s\n%s", before, after)
		}
	})
}
