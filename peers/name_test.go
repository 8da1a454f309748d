package peers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"crm", "CRM", "erp-eu", "acme.crm", "a_b", "7seas", strings.Repeat("a", peers.MaxName)} {
		if err := peers.CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-crm", ".crm", "_crm", "my crm", "crm/eu", "crm\n", "zürich", strings.Repeat("a", peers.MaxName+1)} {
		if err := peers.CheckName(bad); !errs.Is(err, errs.Invalid) || !strings.Contains(errs.Message(err), "invalid peer name") {
			t.Errorf("CheckName(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestDefaultName(t *testing.T) {
	for in, want := range map[string]string{
		"Acme CRM (EU)":             "acme-crm-eu",
		"  Fake Node ":              "fake-node",
		"ERP":                       "erp",
		"Zürich Büro":               "z-rich-b-ro",
		"☃☃☃":                       "peer",
		"":                          "peer",
		strings.Repeat("ab ", 40):   strings.TrimRight(strings.Repeat("ab-", 22)[:peers.MaxName], "-"),
		"node_01HZY":                "node-01hzy",
		"--already--dashed--name--": "already-dashed-name",
	} {
		got := peers.DefaultName(in)
		if got != want {
			t.Errorf("DefaultName(%q) = %q, want %q", in, got, want)
		}
		if err := peers.CheckName(got); err != nil {
			t.Errorf("DefaultName(%q) = %q, which CheckName refuses: %v", in, got, err)
		}
	}
}

// fetchNode fetches a fake peer whose card says node id and name.
func fetchNode(t *testing.T, id, name string) *peers.Fetched {
	t.Helper()
	return fetch(t, newFake(t, fakeOptions{card: func(c *a2a.CardParams, _ string) { c.Node.NodeID, c.Name = id, name }}))
}

func TestNamesAndResolve(t *testing.T) {
	ctx := context.Background()
	crm := fetchNode(t, "node_crm", "Acme CRM")
	erp := fetchNode(t, "node_erp", "Fake Node")
	wiki := fetchNode(t, "node_wiki", "Fake Node")
	named := fetchNode(t, "crm", "Named Like A Peer")
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ws, other := newWorkspace(t, db), newWorkspace(t, db)
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		count := func() int {
			t.Helper()
			list, err := peers.List(ctx, db, ws)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}

		a, err := peers.AddNamed(ctx, db, ws, "crm", crm, peers.PolicyChange{}, now)
		if err != nil || a.Name != "crm" || a.CardName != "Acme CRM" {
			t.Fatalf("AddNamed = %+v, %v", a, err)
		}
		// Clashes and bad names are refused with the reason, and add nothing.
		for name, want := range map[string]string{
			"crm":        `a peer named "crm" already exists`,
			"node_crm":   "is the id of another peer",
			a.ID:         "is the id of another peer",
			"my crm":     "invalid peer name",
			"-x":         "invalid peer name",
			"node_crm\t": "invalid peer name",
		} {
			_, err := peers.AddNamed(ctx, db, ws, name, erp, peers.PolicyChange{}, now)
			if !strings.Contains(errs.Message(err), want) {
				t.Errorf("AddNamed(%q) = %v, want %q", name, err, want)
			}
		}
		if _, err := peers.AddNamed(ctx, db, ws, "crm2", crm, peers.PolicyChange{}, now); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.Message(err), "repin") {
			t.Errorf("same node under another name: %v", err)
		}
		// A node whose id is a peer's name would make "crm" ambiguous.
		if _, err := peers.Add(ctx, db, ws, named, peers.PolicyChange{}, now); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.Message(err), "is the name of peer") {
			t.Errorf("node id that is a name: %v", err)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d peers after refused adds", n)
		}

		// Without a name, the card's gives one, made unique.
		b, err := peers.Add(ctx, db, ws, erp, peers.PolicyChange{}, now)
		if err != nil || b.Name != "fake-node" {
			t.Fatalf("Add = %+v, %v", b, err)
		}
		c, err := peers.AddNamed(ctx, db, ws, "", wiki, peers.PolicyChange{}, now)
		if err != nil || c.Name != "fake-node-2" {
			t.Fatalf("second Fake Node = %+v, %v", c, err)
		}
		// Names are per workspace.
		if o, err := peers.AddNamed(ctx, db, other, "crm", erp, peers.PolicyChange{}, now); err != nil || o.Name != "crm" {
			t.Fatalf("same name in another workspace: %+v, %v", o, err)
		}

		for _, p := range []peers.Peer{a, b, c} {
			for _, ref := range []string{p.ID, p.NodeID, p.Name, " " + p.Name + " "} {
				got, err := peers.Resolve(ctx, db, ws, ref)
				if err != nil || got.ID != p.ID || got.Name != p.Name || got.CardName != p.CardName || string(got.JWKS) != string(p.JWKS) {
					t.Errorf("Resolve(%q) = %+v, %v; want %s", ref, got, err, p.ID)
				}
			}
		}
		if _, err := peers.Resolve(ctx, db, ws, "nope"); !errs.Is(err, errs.NotFound) || !strings.Contains(errs.Message(err), "name, id or node id") {
			t.Errorf("unknown: %v", err)
		}
		if _, err := peers.Resolve(ctx, db, ws, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("empty: %v", err)
		}
		if _, err := peers.Resolve(ctx, db, other, "fake-node"); !errs.Is(err, errs.NotFound) {
			t.Errorf("another workspace's name: %v", err)
		}
		if _, err := peers.Resolve(ctx, db, other, a.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("another workspace's peer id: %v", err)
		}
		// Names never reach Get, which the federation endpoint uses with
		// the envelope's sender.
		if _, err := peers.Get(ctx, db, ws, "crm"); !errs.Is(err, errs.NotFound) {
			t.Errorf("Get by name: %v", err)
		}

		// Precedence: id, then node id, then name. Rows written before
		// names were checked could hold a name that is another's node id.
		if _, err := db.Exec(ctx, `UPDATE peers SET name = ? WHERE id = ?`, a.NodeID, c.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := peers.Resolve(ctx, db, ws, a.NodeID); err != nil || got.ID != a.ID {
			t.Errorf("node id over name: %+v, %v", got, err)
		}
		if _, err := db.Exec(ctx, `UPDATE peers SET name = ? WHERE id = ?`, b.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := peers.Resolve(ctx, db, ws, b.ID); err != nil || got.ID != b.ID {
			t.Errorf("id over name: %+v, %v", got, err)
		}

		// policy and remove take a name.
		err = db.InTx(ctx, func(tx store.Tx) error {
			p, err := peers.SetPolicy(ctx, tx, ws, "fake-node", peers.PolicyChange{MaxTurns: ptr(4)}, now)
			if err == nil && (p.ID != b.ID || p.MaxTurns != 4) {
				t.Errorf("SetPolicy by name changed %+v", p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx store.Tx) error {
			p, err := peers.Remove(ctx, tx, ws, "crm")
			if err == nil && p.ID != a.ID {
				t.Errorf("Remove by name removed %+v", p)
			}
			return err
		})
		if err != nil || count() != 2 {
			t.Fatalf("remove by name: %v, %d left", err, count())
		}
		// The name is free again.
		if _, err := peers.AddNamed(ctx, db, ws, "crm", crm, peers.PolicyChange{}, now); err != nil {
			t.Fatalf("re-add under the freed name: %v", err)
		}
	})
}

func TestRepin(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, fakeOptions{})
	before := fetch(t, f)
	if _, err := f.Keys.Rotate(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	after := fetch(t, f)
	if after.Fingerprint == before.Fingerprint || len(after.Keys.Keys()) != 2 {
		t.Fatalf("rotation did not change the keys: %s, %d keys", after.Fingerprint, len(after.Keys.Keys()))
	}
	elsewhere := fetchNode(t, "node_other", "Other")
	sameIDOtherURL := fetchNode(t, "node_fake", "Fake Node")

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ws, other := newWorkspace(t, db), newWorkspace(t, db)
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		p, err := peers.AddNamed(ctx, db, ws, "crm", before, peers.PolicyChange{Scopes: ptr([]string{"contacts:read"})}, now)
		if err != nil {
			t.Fatal(err)
		}
		repin := func(ws, ref string, f *peers.Fetched, shown string) (peers.Peer, error) {
			var got peers.Peer
			err := db.InTx(ctx, func(tx store.Tx) error {
				var err error
				got, err = peers.Repin(ctx, tx, ws, ref, f, shown, now.Add(time.Hour))
				return err
			})
			return got, err
		}
		unchanged := func(why string) {
			t.Helper()
			got, err := peers.Get(ctx, db, ws, p.ID)
			if err != nil || got.Fingerprint != before.Fingerprint || string(got.JWKS) != string(before.JWKS) || !got.UpdatedAt.Equal(now) {
				t.Fatalf("%s changed the pin: %+v, %v", why, got, err)
			}
		}
		for name, tc := range map[string]struct {
			ws, ref string
			f       *peers.Fetched
			shown   string
			kind    errs.Kind
			want    string
		}{
			"stale fingerprint": {ws, "crm", after, "0000-0000", errs.Conflict, "changed since they were shown"},
			"another node":      {ws, "crm", elsewhere, before.Fingerprint, errs.Invalid, "is now node node_other"},
			"another base URL":  {ws, "crm", sameIDOtherURL, before.Fingerprint, errs.Invalid, "was fetched from"},
			"unknown peer":      {ws, "nope", after, before.Fingerprint, errs.NotFound, "no peer"},
			"another workspace": {other, p.ID, after, before.Fingerprint, errs.NotFound, "no peer"},
			"nothing fetched":   {ws, "crm", nil, before.Fingerprint, errs.Invalid, "no verified agent card"},
		} {
			if _, err := repin(tc.ws, tc.ref, tc.f, tc.shown); !errs.Is(err, tc.kind) || !strings.Contains(errs.Message(err), tc.want) {
				t.Errorf("%s: %v, want %v mentioning %q", name, err, tc.kind, tc.want)
			}
			unchanged(name)
		}

		got, err := repin(ws, p.NodeID, after, before.Fingerprint)
		if err != nil || got.Fingerprint != after.Fingerprint || got.ID != p.ID || got.Name != "crm" {
			t.Fatalf("Repin = %+v, %v", got, err)
		}
		stored, err := peers.Get(ctx, db, ws, p.ID)
		if err != nil || stored.Fingerprint != after.Fingerprint || string(stored.JWKS) != string(after.JWKS) ||
			!stored.UpdatedAt.Equal(now.Add(time.Hour)) || len(stored.KeyIDs()) != 2 || stored.Scopes[0] != "contacts:read" {
			t.Fatalf("after Repin %+v, %v", stored, err)
		}
		// The new active key's signatures verify against the pin.
		keys, err := peers.KeySet(ctx, db, ws, p.NodeID)
		if err != nil {
			t.Fatal(err)
		}
		kid, _ := f.Keys.ActiveKeyID(ctx)
		if _, ok := keys.Lookup(kid); !ok {
			t.Fatalf("new key %s not pinned", kid)
		}
	})
}
