package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// delivery queues a webhook delivery of c's key, due in an hour.
func delivery(t *testing.T, db *store.DB, c testbed.Creds) webhook.Delivery {
	t.Helper()
	ctx := context.Background()
	d, err := webhook.NewDelivery(c.WorkspaceID, c.KeyID, webhook.EventCompleted, "https://receiver.invalid/hook", webhook.Payload{})
	if err != nil {
		t.Fatal(err)
	}
	d.CreatedAt = time.Now().Add(time.Hour)
	if err := db.InTx(ctx, func(tx store.Tx) error { return webhook.Enqueue(ctx, tx, d) }); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAdminRefusals: the admin operations need an owner or admin with a
// key without scope restrictions; another workspace's delivery is 404
// like an unknown one; nothing is redelivered for a refusal.
func TestAdminRefusals(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	owner := api.Workspace(t, workspace.Owner, access.KeyParams{})
	d := delivery(t, api.DB, owner)
	member := testbed.AddMember(t, api.DB, owner, workspace.Member, "second@example.com")
	viewer := testbed.AddMember(t, api.DB, owner, workspace.Viewer, "third@example.com")
	narrowed := testbed.AddKey(t, api.DB, owner, "contacts:*")
	stranger := api.Workspace(t, workspace.Owner, access.KeyParams{})
	paths := []struct{ method, path string }{
		{"GET", "/api/admin/deliveries"},
		{"GET", "/api/admin/deliveries/" + d.ID},
		{"POST", "/api/admin/deliveries/" + d.ID + "/redeliver"},
	}
	for _, p := range paths {
		for who, c := range map[string]testbed.Creds{"member": member, "viewer": viewer, "narrowed key": narrowed} {
			if r := api.Call(t, p.method, p.path, c, nil); r.Status != http.StatusForbidden || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %s as %s = %d %s", p.method, p.path, who, r.Status, r.Body)
			}
		}
		if r := api.Call(t, p.method, p.path, testbed.Creds{}, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without credentials = %d", p.method, p.path, r.Status)
		}
	}
	for _, p := range paths[1:] {
		if r := api.Call(t, p.method, p.path, stranger, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s %s from another workspace = %d %s", p.method, p.path, r.Status, r.Body)
		}
	}
	if r := api.Call(t, "GET", "/api/admin/deliveries?status=lost", owner, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("?status=lost = %d %s", r.Status, r.Body)
	}
	if n := api.Notified.Load(); n != 0 {
		t.Fatalf("refused redeliveries woke the dispatcher %d times", n)
	}
}

// TestRedeliver: redelivering a delivery answers 202 with it due now,
// same id, and wakes the dispatcher.
func TestRedeliver(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	admin := api.Workspace(t, workspace.Admin, access.KeyParams{})
	d := delivery(t, api.DB, admin)
	r := api.Call(t, "POST", "/api/admin/deliveries/"+d.ID+"/redeliver", admin, nil)
	var got httpapi.DeliveryDetail
	r.JSON(t, &got)
	if r.Status != http.StatusAccepted || got.ID != d.ID || got.Status != "pending" || got.NextAttemptAt == nil || got.NextAttemptAt.After(time.Now().Add(time.Minute)) {
		t.Fatalf("redeliver = %d %s", r.Status, r.Body)
	}
	if n := api.Notified.Load(); n != 1 {
		t.Fatalf("the dispatcher was woken %d times, want 1", n)
	}
}

// TestAdminDeliveriesPaging walks a workspace's deliveries page by page.
func TestAdminDeliveriesPaging(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Admin, access.KeyParams{})
	want := map[string]bool{}
	for range 5 {
		want[delivery(t, api.DB, c).ID] = true
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		r := api.Call(t, "GET", "/api/admin/deliveries?limit=2&cursor="+cursor, c, nil)
		var p httpapi.DeliveryPage
		r.JSON(t, &p)
		for _, d := range p.Deliveries {
			if seen[d.ID] || !want[d.ID] || d.Status != "pending" || d.NextAttemptAt == nil {
				t.Fatalf("page %d: %+v", pages, d)
			}
			seen[d.ID] = true
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if len(seen) != 5 {
		t.Fatalf("saw %d of 5 deliveries", len(seen))
	}
	// A cursor that no page gave is refused, not compared as text.
	if r := api.Call(t, "GET", "/api/admin/deliveries?cursor=zzz", c, nil); r.Status < 400 || r.Status >= 500 || !strings.Contains(string(r.Body), "invalid cursor") {
		t.Fatalf("cursor zzz: %d %s", r.Status, r.Body)
	}
}
