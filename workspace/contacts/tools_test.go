package contacts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
)

func TestCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		res := f.must(owner, "contacts_create", `{"name":"Jane Doe","email":"jane@acme.com","title":"CEO","company":"Acme Corp","tags":["vip","Investor"],"notes":"met at expo"}`)
		c := f.contact(res)
		want := workspace.Receipt{Tool: "contacts_create", OK: true, Ref: "contact/" + c.ID, Summary: "Created contact Jane Doe (CEO, Acme Corp)"}
		if len(res.Actions) != 1 || res.Actions[0] != want {
			t.Fatalf("actions = %+v, want %+v", res.Actions, want)
		}
		if len(c.ID) != 26 || c.OwnerID != "m1" || !c.CreatedAt.Equal(clock) || !slices.Equal(c.Tags, []string{"vip", "Investor"}) {
			t.Fatalf("created %+v", c)
		}
		// JSON shape: RFC 3339 times and the documented keys.
		var raw map[string]any
		decode(t, res.Data, &raw)
		body := raw["contact"].(map[string]any)
		if body["created_at"] != "2025-03-01T09:30:00Z" || body["phone"] != "" || body["owner_id"] != "m1" {
			t.Fatalf("json contact = %v", body)
		}

		got := f.contact(f.must(viewer, "contacts_get", `{"id":"`+c.ID+`"}`))
		if got.Email != "jane@acme.com" || got.Notes != "met at expo" {
			t.Fatalf("get = %+v", got)
		}

		res = f.must(owner, "contacts_update", `{"id":"`+c.ID+`","phone":"+1 555 0100","title":null,"tags":["vip"]}`)
		u := f.contact(res)
		if u.Phone != "+1 555 0100" || u.Title != "CEO" || u.Email != "jane@acme.com" || !slices.Equal(u.Tags, []string{"vip"}) {
			t.Fatalf("updated %+v", u)
		}
		if s := res.Actions[0].Summary; s != "Updated contact Jane Doe (CEO, Acme Corp): phone, tags" {
			t.Fatalf("update summary %q", s)
		}
		// Clearing with "" works; the row reads back the same.
		u = f.contact(f.must(owner, "contacts_update", `{"id":"`+c.ID+`","company":""}`))
		if u.Company != "" || f.contact(f.must(owner, "contacts_get", `{"id":"`+c.ID+`"}`)).Company != "" {
			t.Fatalf("company not cleared: %+v", u)
		}

		// Deleting unlinks the contact's tasks.
		ctx := context.Background()
		if _, err := db.Exec(ctx, `INSERT INTO tasks (id, workspace_id, title, contact_id, created_at, updated_at) VALUES ('t1', 'w1', 'Call Jane', ?, 1, 1)`, c.ID); err != nil {
			t.Fatal(err)
		}
		res = f.must(owner, "contacts_delete", `{"id":"`+c.ID+`"}`)
		if res.Actions[0].Ref != "contact/"+c.ID || res.Actions[0].Summary != "Deleted contact Jane Doe (CEO) and unlinked 1 task(s)" {
			t.Fatalf("delete actions %+v", res.Actions)
		}
		var link string
		if err := db.QueryRow(ctx, `SELECT contact_id FROM tasks WHERE id = 't1'`).Scan(&link); err != nil || link != "" {
			t.Fatalf("task contact_id = %q, %v", link, err)
		}
		_, err := f.call(owner, "contacts_get", `{"id":"`+c.ID+`"}`)
		if !errs.Is(err, errs.NotFound) || errs.Message(err) != "no contact with id "+c.ID {
			t.Fatalf("get deleted: %v", err)
		}
		if f.count() != 0 {
			t.Fatal("contact still stored")
		}
	})
}

func TestDuplicateEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		jane := f.contact(f.must(owner, "contacts_create", `{"name":"Jane Doe","email":"jane@acme.com"}`))
		bob := f.contact(f.must(owner, "contacts_create", `{"name":"Bob","email":"bob@acme.com"}`))
		f.must(owner, "contacts_create", `{"name":"No Email"}`)
		f.must(owner, "contacts_create", `{"name":"No Email Either","email":""}`)

		_, err := f.call(owner, "contacts_create", `{"name":"Jane Again","email":"JANE@Acme.COM"}`)
		want := fmt.Sprintf("a contact with email JANE@Acme.COM already exists (contact/%s)", jane.ID)
		if !errs.Is(err, errs.Conflict) || errs.Message(err) != want {
			t.Fatalf("err = %v, want Conflict %q", err, want)
		}
		if n := f.count(); n != 4 {
			t.Fatalf("count = %d after conflict, want 4", n)
		}
		_, err = f.call(owner, "contacts_update", `{"id":"`+bob.ID+`","email":"jane@ACME.com","name":"Robert"}`)
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("update to taken email: %v", err)
		}
		if got := f.contact(f.must(owner, "contacts_get", `{"id":"`+bob.ID+`"}`)); got.Name != "Bob" || got.Email != "bob@acme.com" {
			t.Fatalf("bob changed: %+v", got)
		}
		// Keeping one's own email, or changing its case, is fine.
		f.must(owner, "contacts_update", `{"id":"`+jane.ID+`","email":"Jane@acme.com"}`)
		// Another workspace may hold the same email.
		f.must(other, "contacts_create", `{"name":"Jane Doe","email":"jane@acme.com"}`)
	})
}

func TestBadArguments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.contact(f.must(owner, "contacts_create", `{"name":"Jane Doe"}`))
		tests := []struct{ tool, args string }{
			{"contacts_create", `{}`},
			{"contacts_create", `{"name":""}`},
			{"contacts_create", `{"name":"   "}`},
			{"contacts_create", `{"name":"Jane","nickname":"J"}`},
			{"contacts_create", `{"name":42}`},
			{"contacts_create", `{"name":"Jane","tags":"vip"}`},
			{"contacts_create", `{"name":"Jane","tags":[""]}`},
			{"contacts_create", `{"name":"` + strings.Repeat("x", 201) + `"}`},
			{"contacts_create", `{"name":"Jane\u0000Doe"}`},
			{"contacts_create", `{"name":"Jane","company":"Acme\u001b[2J"}`},
			{"contacts_create", `{"name":"Jane","email":"jane@acme.com\r\nBcc: evil@x.test"}`},
			{"contacts_create", `{"name":"Jane","email":"jane"}`},
			{"contacts_create", `{"name":"Jane","phone":"DROP TABLE"}`},
			{"contacts_create", `[1,2]`},
			{"contacts_create", `not json`},
			{"contacts_update", `{"id":"` + c.ID + `"}`},
			{"contacts_update", `{"id":"` + c.ID + `","name":""}`},
			{"contacts_update", `{"id":"` + c.ID + `","name":"Jane\u0007"}`},
			{"contacts_update", `{"name":"Jane"}`},
			{"contacts_get", `{}`},
			{"contacts_get", `{"id":"x\u0000"}`},
			{"contacts_search", `{"limit":0}`},
			{"contacts_search", `{"limit":101}`},
			{"contacts_search", `{"limit":2.5}`},
			{"contacts_search", `{"cursor":"garbage"}`},
			{"contacts_search", `{"query":"a\u0000"}`},
			{"contacts_search", `{"color":"red"}`},
		}
		for _, tt := range tests {
			_, err := f.call(owner, tt.tool, tt.args)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("%s %s: err = %v, want Invalid", tt.tool, tt.args, err)
			}
		}
		if n := f.count(); n != 1 {
			t.Fatalf("count = %d, want 1 (bad calls wrote)", n)
		}
		if got := f.contact(f.must(owner, "contacts_get", `{"id":"`+c.ID+`"}`)); got.Name != "Jane Doe" || !got.UpdatedAt.Equal(clock) {
			t.Fatalf("contact changed: %+v", got)
		}
	})
}

func TestOtherWorkspace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		theirs := f.contact(f.must(other, "contacts_create", `{"name":"Secret Person","email":"secret@other.test"}`))
		for _, tt := range []struct{ tool, args string }{
			{"contacts_get", `{"id":"` + theirs.ID + `"}`},
			{"contacts_update", `{"id":"` + theirs.ID + `","name":"Hijacked"}`},
			{"contacts_delete", `{"id":"` + theirs.ID + `"}`},
			{"contacts_get", `{"id":"01J0000000000000000000000X"}`},
		} {
			_, err := f.call(owner, tt.tool, tt.args)
			id := strings.Split(tt.args, `"`)[3]
			if !errs.Is(err, errs.NotFound) || errs.Message(err) != "no contact with id "+id {
				t.Errorf("%s: err = %v, want NotFound", tt.tool, err)
			}
		}
		page := f.page(f.must(owner, "contacts_search", `{"query":"secret"}`))
		if len(page.Contacts) != 0 {
			t.Fatalf("search saw another workspace: %+v", page.Contacts)
		}
		// Same email in w1 is no conflict with w2.
		f.must(owner, "contacts_create", `{"name":"Local","email":"secret@other.test"}`)
		if got := f.contact(f.must(other, "contacts_get", `{"id":"`+theirs.ID+`"}`)); got.Name != "Secret Person" {
			t.Fatalf("their contact changed: %+v", got)
		}
	})
}

func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.contact(f.must(owner, "contacts_create", `{"name":"Jane Doe"}`))
		ctx := context.Background()
		for _, caller := range []workspace.Caller{viewer, reader} {
			for _, tool := range []string{"contacts_create", "contacts_update", "contacts_delete"} {
				if _, err := f.reg.Lookup(ctx, caller, tool); !errs.Is(err, errs.Forbidden) {
					t.Errorf("Lookup(%s, %s) = %v, want Forbidden", caller.MemberID, tool, err)
				}
			}
			if _, err := f.call(caller, "contacts_delete", `{"id":"`+c.ID+`"}`); !errs.Is(err, errs.Forbidden) {
				t.Errorf("delete as %+v: %v", caller, err)
			}
			f.must(caller, "contacts_get", `{"id":"`+c.ID+`"}`)
			f.must(caller, "contacts_search", `{}`)
			tools, _ := f.reg.List(ctx, caller)
			if len(tools) != 2 {
				t.Errorf("List for %+v has %d tools, want the 2 reads", caller, len(tools))
			}
		}
		if f.count() != 1 {
			t.Fatal("a forbidden call wrote")
		}
	})
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		for _, args := range []string{
			`{"name":"Jane Doe","email":"jane@acme.com","company":"Acme Corp","title":"CEO","city":"Berlin","tags":["VIP","investor"]}`,
			`{"name":"John Roe","email":"john@globex.com","company":"Globex","title":"CTO","city":"Paris","tags":["customer"]}`,
			`{"name":"Ann Lee","email":"ann@acme.com","company":"Acme Corp","city":"Paris","notes":"Prefers 100% email; likes_underscores"}`,
			`{"name":"Vip Person","company":"Initech","tags":["vipish"]}`,
		} {
			f.must(owner, "contacts_create", args)
		}
		names := func(args string) string {
			t.Helper()
			var out []string
			for _, c := range f.page(f.must(owner, "contacts_search", args)).Contacts {
				out = append(out, c.Name)
			}
			return strings.Join(out, ",")
		}
		for _, tt := range []struct{ args, want string }{
			{`{}`, "Ann Lee,Jane Doe,John Roe,Vip Person"},
			{`{"query":"acme"}`, "Ann Lee,Jane Doe"},
			{`{"query":"ACME paris"}`, "Ann Lee"},
			{`{"query":"cto"}`, "John Roe"},
			{`{"query":"investor"}`, "Jane Doe"},
			{`{"query":"prefers email"}`, "Ann Lee"},
			{`{"query":"100%"}`, "Ann Lee"},
			{`{"query":"%"}`, "Ann Lee"},
			{`{"query":"e_s"}`, ""}, // "_" is no wildcard: "Prefers" must not match
			{`{"query":"s_underscores"}`, "Ann Lee"},
			{`{"name":"jo"}`, "John Roe"},
			{`{"email":"@acme.com"}`, "Ann Lee,Jane Doe"},
			{`{"company":"globex"}`, "John Roe"},
			{`{"city":"paris","company":"acme"}`, "Ann Lee"},
			{`{"tag":"vip"}`, "Jane Doe"},
			{`{"tag":"VIPISH"}`, "Vip Person"},
			{`{"tag":"vi"}`, ""},
			{`{"query":"nobody"}`, ""},
		} {
			if got := names(tt.args); got != tt.want {
				t.Errorf("search %s = %q, want %q", tt.args, got, tt.want)
			}
		}
	})
}

func TestPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		var want []string
		for i := range 25 {
			name := fmt.Sprintf("Person %02d", 24-i)
			f.must(owner, "contacts_create", `{"name":"`+name+`"}`)
			want = append(want, name)
		}
		f.must(owner, "contacts_create", `{"name":"Person 07"}`) // same name: id breaks the tie
		want = append(want, "Person 07")
		slices.Sort(want)

		var got []string
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			args, _ := json.Marshal(map[string]any{"limit": 10, "cursor": cursor})
			p := f.page(f.must(owner, "contacts_search", string(args)))
			pages++
			for _, c := range p.Contacts {
				if seen[c.ID] {
					t.Fatalf("contact %s on two pages", c.ID)
				}
				seen[c.ID] = true
				got = append(got, c.Name)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if pages != 3 || !slices.Equal(got, want) {
			t.Fatalf("%d pages: %v, want %v", pages, got, want)
		}
		// Default limit is 20; a cursor carries the position, not the filter.
		p := f.page(f.must(owner, "contacts_search", `{}`))
		if len(p.Contacts) != 20 || p.NextCursor == "" {
			t.Fatalf("default page has %d contacts, cursor %q", len(p.Contacts), p.NextCursor)
		}
		p = f.page(f.must(owner, "contacts_search", `{"cursor":"`+p.NextCursor+`"}`))
		if len(p.Contacts) != 6 || p.NextCursor != "" {
			t.Fatalf("second page has %d contacts, cursor %q", len(p.Contacts), p.NextCursor)
		}
	})
}

// TestGoAPI covers the functions the CLI and demo seeding call directly.
func TestGoAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		ctx := context.Background()
		err := db.InTx(ctx, func(tx store.Tx) error {
			c, err := contacts.Create(ctx, tx, "w1", "m1", contacts.Fields{Name: "Seeded", Email: "seed@acme.test"}, clock)
			if err != nil {
				return err
			}
			name := "Seeded Twice"
			c, changed, err := contacts.Update(ctx, tx, "w1", c.ID, contacts.Patch{Name: &name}, clock)
			if err != nil || c.Name != name || !slices.Equal(changed, []string{"name"}) {
				return fmt.Errorf("update: %+v %v %v", c, changed, err)
			}
			p, err := contacts.Search(ctx, tx, "w1", contacts.Filter{Email: "seed@", Limit: 500})
			if err != nil || len(p.Contacts) != 1 {
				return fmt.Errorf("search: %+v %v", p, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestConcurrentDuplicateEmail races creates of one email: the check in the
// transaction and the unique index together let exactly one win, and the
// losers get a Conflict, not an internal error.
func TestConcurrentDuplicateEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		const n = 8
		results := make(chan error, n)
		for i := range n {
			go func() {
				_, err := f.call(owner, "contacts_create", fmt.Sprintf(`{"name":"Racer %d","email":"race@acme.com"}`, i))
				results <- err
			}()
		}
		wins := 0
		for range n {
			switch err := <-results; {
			case err == nil:
				wins++
			case !errs.Is(err, errs.Conflict):
				t.Errorf("loser got %v, want Conflict", err)
			}
		}
		if wins != 1 || f.count() != 1 {
			t.Fatalf("%d creates won, %d stored; want 1", wins, f.count())
		}
	})
}
