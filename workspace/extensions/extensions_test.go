package extensions_test

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace/extensions"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// newWorkspace inserts a workspace row for the extensions to belong to.
func newWorkspace(t *testing.T, db *store.DB, id string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, id, id, store.Micros(time.Now())); err != nil {
		t.Fatal(err)
	}
}

func add(t *testing.T, db *store.DB, ws, name, url string) (extensions.Extension, error) {
	t.Helper()
	var e extensions.Extension
	err := db.InTx(context.Background(), func(tx store.Tx) error {
		var err error
		e, err = extensions.Add(context.Background(), tx, ws, name, url)
		return err
	})
	return e, err
}

func TestAddListRemove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newWorkspace(t, db, "ws1")
		newWorkspace(t, db, "ws2")

		for _, tc := range []struct {
			name, url string
			kind      errs.Kind
		}{
			{"Weather", "https://x.example/mcp", errs.Invalid},
			{"has-dash", "https://x.example/mcp", errs.Invalid},
			{"", "https://x.example/mcp", errs.Invalid},
			{"abcdefghijklmnopqrstuvwxyz0123456", "https://x.example/mcp", errs.Invalid}, // 33
			{"ok", "ftp://x.example/mcp", errs.Invalid},
			{"ok", "x.example/mcp", errs.Invalid},
			{"ok", "https:///mcp", errs.Invalid},
			{"ok", "https://x.example/m cp", errs.Invalid},
			{"ok", "https://x.example/mcp#frag", errs.Invalid},
		} {
			if _, err := add(t, db, "ws1", tc.name, tc.url); !errs.Is(err, tc.kind) {
				t.Errorf("Add(%q, %q) = %v, want %v", tc.name, tc.url, err, tc.kind)
			}
		}

		secretURL := "https://user:s3cret@b.example:8443/mcp?token=tok3n"
		b, err := add(t, db, "ws1", "b_ext", secretURL)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := add(t, db, "ws1", "a1", "http://127.0.0.1:9/mcp"); err != nil {
			t.Fatal(err)
		}
		if _, err := add(t, db, "ws2", "b_ext", "https://other.example/mcp"); err != nil {
			t.Fatalf("same name in another workspace: %v", err)
		}
		if _, err := add(t, db, "ws1", "b_ext", "https://again.example/mcp"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate name: %v", err)
		}

		got, err := extensions.List(ctx, db, "ws1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Name != "a1" || got[1].Name != "b_ext" || got[1].URL != secretURL || got[1].ID != b.ID ||
			!got[1].CreatedAt.Equal(b.CreatedAt) {
			t.Fatalf("List = %+v", got)
		}
		if h := got[1].Host(); h != "b.example:8443" {
			t.Fatalf("Host = %q", h)
		}
		if s := got[1].String(); s != "extension b_ext (b.example:8443)" {
			t.Fatalf("String = %q", s)
		}

		err = db.InTx(ctx, func(tx store.Tx) error { return extensions.Remove(ctx, tx, "ws1", "b_ext") })
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx store.Tx) error { return extensions.Remove(ctx, tx, "ws1", "b_ext") })
		if !errs.Is(err, errs.NotFound) {
			t.Fatalf("second remove: %v", err)
		}
		if got, _ := extensions.List(ctx, db, "ws1"); len(got) != 1 {
			t.Fatalf("after remove: %+v", got)
		}
		if got, _ := extensions.List(ctx, db, "ws2"); len(got) != 1 || got[0].URL != "https://other.example/mcp" {
			t.Fatalf("ws2: %+v", got)
		}
	})
}
