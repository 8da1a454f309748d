package tasks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/tasks"
)

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		jane := f.contactID(owner, "Jane Doe")
		res := f.must(owner, "tasks_create", `{"title":"Call Jane","description":"about the contract","due":"2025-03-07","assignee_id":"m4","contact_id":"`+jane+`"}`)
		tk := f.task(res)
		want := workspace.Receipt{Tool: "tasks_create", OK: true, Ref: "task/" + tk.ID,
			Summary: `Created task "Call Jane" (due 2025-03-07, assigned to Bob Builder, for Jane Doe)`}
		if len(res.Actions) != 1 || res.Actions[0] != want {
			t.Fatalf("actions = %+v, want %+v", res.Actions, want)
		}
		if tk.Status != tasks.Open || tk.CreatedBy != "m1" || tk.AssigneeName != "Bob Builder" || tk.ContactID != jane || tk.CompletedAt != nil || !tk.CreatedAt.Equal(clock) {
			t.Fatalf("created %+v", tk)
		}
		var raw map[string]map[string]any
		decode(t, res.Data, &raw)
		if raw["task"]["completed_at"] != nil || raw["task"]["created_at"] != "2025-03-01T09:30:00Z" || raw["task"]["due"] != "2025-03-07" {
			t.Fatalf("json task = %v", raw["task"])
		}

		f.tick()
		res = f.must(bob, "tasks_update", `{"id":"`+tk.ID+`","status":"in_progress","due":"","title":null}`)
		tk = f.task(res)
		if tk.Status != tasks.InProgress || tk.Due != "" || tk.Title != "Call Jane" || res.Actions[0].Summary != `Updated task "Call Jane": status, due` {
			t.Fatalf("updated %+v %+v", tk, res.Actions)
		}

		f.tick()
		res = f.must(owner, "tasks_assign", `{"id":"`+tk.ID+`","assignee_id":"me"}`)
		if tk = f.task(res); tk.AssigneeID != "m1" || res.Actions[0].Summary != `Reassigned task "Call Jane" from Bob Builder to Olivia Owner` {
			t.Fatalf("reassign %+v %+v", tk, res.Actions)
		}
		res = f.must(owner, "tasks_assign", `{"id":"`+tk.ID+`","assignee_id":""}`)
		if tk = f.task(res); tk.AssigneeID != "" || res.Actions[0].Summary != `Unassigned task "Call Jane"` {
			t.Fatalf("unassign %+v %+v", tk, res.Actions)
		}
		res = f.must(owner, "tasks_assign", `{"id":"`+tk.ID+`","assignee_id":"m4"}`)
		if res.Actions[0].Summary != `Assigned task "Call Jane" to Bob Builder` || res.Actions[0].Ref != "task/"+tk.ID {
			t.Fatalf("assign %+v", res.Actions)
		}

		f.tick()
		done := f.now
		res = f.must(bob, "tasks_complete", `{"id":"`+tk.ID+`"}`)
		if tk = f.task(res); tk.Status != tasks.Done || tk.CompletedAt == nil || !tk.CompletedAt.Equal(done) || res.Actions[0].Summary != `Completed task "Call Jane"` {
			t.Fatalf("complete %+v %+v", tk, res.Actions)
		}
		f.tick()
		res = f.must(bob, "tasks_complete", `{"id":"`+tk.ID+`"}`)
		if tk = f.task(res); len(res.Actions) != 0 || !tk.CompletedAt.Equal(done) {
			t.Fatalf("second complete changed something: %+v %+v", tk, res.Actions)
		}
		// Editing a done task keeps its completion time; reopening clears it.
		if tk = f.task(f.must(owner, "tasks_update", `{"id":"`+tk.ID+`","description":"signed"}`)); !tk.CompletedAt.Equal(done) {
			t.Fatalf("completed_at moved: %+v", tk)
		}
		if tk = f.task(f.must(owner, "tasks_update", `{"id":"`+tk.ID+`","status":"open","contact_id":""}`)); tk.CompletedAt != nil || tk.ContactID != "" {
			t.Fatalf("reopen: %+v", tk)
		}

		res = f.must(owner, "tasks_delete", `{"id":"`+tk.ID+`"}`)
		if res.Actions[0] != (workspace.Receipt{Tool: "tasks_delete", OK: true, Ref: "task/" + tk.ID, Summary: `Deleted task "Call Jane"`}) {
			t.Fatalf("delete %+v", res.Actions)
		}
		if _, err := f.call(owner, "tasks_complete", `{"id":"`+tk.ID+`"}`); !errs.Is(err, errs.NotFound) || errs.Message(err) != "no task with id "+tk.ID {
			t.Fatalf("complete deleted: %v", err)
		}
		if f.count() != 0 {
			t.Fatal("task still stored")
		}
	})
}

func TestReferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		theirContact := f.contactID(other, "Their Contact")
		tk := f.task(f.must(owner, "tasks_create", `{"title":"Mine"}`))
		for _, tt := range []struct{ tool, args, want string }{
			{"tasks_create", `{"title":"x","assignee_id":"m3"}`, "no member with id m3"},
			{"tasks_create", `{"title":"x","assignee_id":"nobody"}`, "no member with id nobody"},
			{"tasks_create", `{"title":"x","contact_id":"` + theirContact + `"}`, "no contact with id " + theirContact},
			{"tasks_assign", `{"id":"` + tk.ID + `","assignee_id":"m3"}`, "no member with id m3"},
			{"tasks_update", `{"id":"` + tk.ID + `","contact_id":"` + theirContact + `"}`, "no contact with id " + theirContact},
			{"tasks_search", `{"assignee_id":"m3"}`, "no member with id m3"},
			{"tasks_search", `{"contact_id":"` + theirContact + `"}`, "no contact with id " + theirContact},
		} {
			_, err := f.call(owner, tt.tool, tt.args)
			if !errs.Is(err, errs.NotFound) || errs.Message(err) != tt.want {
				t.Errorf("%s %s: err = %v, want NotFound %q", tt.tool, tt.args, err, tt.want)
			}
		}
		if got := f.task(f.must(owner, "tasks_update", `{"id":"`+tk.ID+`","title":"Mine"}`)); got.AssigneeID != "" || got.ContactID != "" {
			t.Fatalf("task changed: %+v", got)
		}
		if f.count() != 1 {
			t.Fatalf("count = %d, want 1", f.count())
		}
	})
}

func TestBadArguments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		tk := f.task(f.must(owner, "tasks_create", `{"title":"Mine","due":"2025-03-07"}`))
		id := tk.ID
		for _, tt := range []struct{ tool, args string }{
			{"tasks_create", `{}`},
			{"tasks_create", `{"title":""}`},
			{"tasks_create", `{"title":"  "}`},
			{"tasks_create", `{"title":"x","priority":"high"}`},
			{"tasks_create", `{"title":"x","due":"next friday"}`},
			{"tasks_create", `{"title":"x","due":"2025-02-30"}`},
			{"tasks_create", `{"title":"x\u0000"}`},
			{"tasks_create", `{"title":"x","description":"\u001b[2J"}`},
			{"tasks_create", `{"title":"` + strings.Repeat("t", 301) + `"}`},
			{"tasks_update", `{"id":"` + id + `"}`},
			{"tasks_update", `{"id":"` + id + `","status":"closed"}`},
			{"tasks_update", `{"id":"` + id + `","title":""}`},
			{"tasks_update", `{"id":"` + id + `","title":"a\u0007"}`},
			{"tasks_update", `{"id":"` + id + `","assignee_id":"m4"}`},
			{"tasks_assign", `{"id":"` + id + `"}`},
			{"tasks_complete", `{}`},
			{"tasks_delete", `{"id":7}`},
			{"tasks_search", `{"status":"closed"}`},
			{"tasks_search", `{"due_from":"2025-04-01","due_to":"2025-03-01"}`},
			{"tasks_search", `{"limit":500}`},
			{"tasks_search", `{"cursor":"%%%"}`},
		} {
			if _, err := f.call(owner, tt.tool, tt.args); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s %s: err = %v, want Invalid", tt.tool, tt.args, err)
			}
		}
		page := f.must(owner, "tasks_search", `{}`).Data.(tasks.Page)
		if len(page.Tasks) != 1 || page.Tasks[0].Title != "Mine" || page.Tasks[0].Due != "2025-03-07" || !page.Tasks[0].UpdatedAt.Equal(clock) {
			t.Fatalf("bad calls changed the tasks: %+v", page.Tasks)
		}
	})
}

func TestOtherWorkspace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		theirs := f.task(f.must(other, "tasks_create", `{"title":"Secret plan","assignee_id":"me"}`))
		for _, tt := range []struct{ tool, args string }{
			{"tasks_update", `{"id":"` + theirs.ID + `","title":"Hijacked"}`},
			{"tasks_assign", `{"id":"` + theirs.ID + `","assignee_id":"m1"}`},
			{"tasks_complete", `{"id":"` + theirs.ID + `"}`},
			{"tasks_delete", `{"id":"` + theirs.ID + `"}`},
			{"tasks_delete", `{"id":"01J0000000000000000000000X"}`},
		} {
			_, err := f.call(owner, tt.tool, tt.args)
			id := strings.Split(tt.args, `"`)[3]
			if !errs.Is(err, errs.NotFound) || errs.Message(err) != "no task with id "+id {
				t.Errorf("%s: err = %v, want NotFound", tt.tool, err)
			}
		}
		if p := f.must(owner, "tasks_search", `{"query":"secret"}`).Data.(tasks.Page); len(p.Tasks) != 0 {
			t.Fatalf("search saw another workspace: %+v", p.Tasks)
		}
		p := f.must(other, "tasks_search", `{"assignee_id":"me"}`).Data.(tasks.Page)
		if len(p.Tasks) != 1 || p.Tasks[0].Title != "Secret plan" || p.Tasks[0].Status != tasks.Open {
			t.Fatalf("their task changed: %+v", p.Tasks)
		}
	})
}

func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		tk := f.task(f.must(owner, "tasks_create", `{"title":"Mine"}`))
		ctx := context.Background()
		for _, caller := range []workspace.Caller{viewer, reader} {
			for _, tool := range []string{"tasks_create", "tasks_update", "tasks_assign", "tasks_complete", "tasks_delete"} {
				if _, err := f.reg.Lookup(ctx, caller, tool); !errs.Is(err, errs.Forbidden) {
					t.Errorf("Lookup(%s, %s) = %v, want Forbidden", caller.MemberID, tool, err)
				}
			}
			if _, err := f.call(caller, "tasks_complete", `{"id":"`+tk.ID+`"}`); !errs.Is(err, errs.Forbidden) {
				t.Errorf("complete as %+v: %v", caller, err)
			}
			f.must(caller, "tasks_search", `{}`)
		}
		if p := f.must(owner, "tasks_search", `{"status":"open"}`).Data.(tasks.Page); len(p.Tasks) != 1 {
			t.Fatal("a forbidden call changed the task")
		}
	})
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		jane := f.contactID(owner, "Jane Doe")
		for _, args := range []string{
			`{"title":"Call Jane","due":"2025-03-03","assignee_id":"m4","contact_id":"` + jane + `"}`,
			`{"title":"Write report","description":"Q1 numbers, 100% done soon","due":"2025-03-10","assignee_id":"me"}`,
			`{"title":"Order coffee"}`,
			`{"title":"Plan offsite","due":"2025-04-01","assignee_id":"m4"}`,
		} {
			f.must(owner, "tasks_create", args)
			f.tick()
		}
		p := f.must(owner, "tasks_search", `{"query":"coffee"}`).Data.(tasks.Page)
		f.must(owner, "tasks_complete", `{"id":"`+p.Tasks[0].ID+`"}`)
		titles := func(args string) string {
			t.Helper()
			var out []string
			for _, tk := range f.must(owner, "tasks_search", args).Data.(tasks.Page).Tasks {
				out = append(out, tk.Title)
			}
			return strings.Join(out, ",")
		}
		for _, tt := range []struct{ args, want string }{
			{`{}`, "Call Jane,Write report,Order coffee,Plan offsite"},
			{`{"status":"open"}`, "Call Jane,Write report,Plan offsite"},
			{`{"status":"done"}`, "Order coffee"},
			{`{"assignee_id":"m4"}`, "Call Jane,Plan offsite"},
			{`{"assignee_id":"me"}`, "Write report"},
			{`{"contact_id":"` + jane + `"}`, "Call Jane"},
			{`{"query":"jane"}`, "Call Jane"},
			{`{"query":"q1 REPORT"}`, "Write report"},
			{`{"query":"100%"}`, "Write report"},
			{`{"query":"0_%"}`, ""},
			{`{"due_from":"2025-03-03","due_to":"2025-03-10"}`, "Call Jane,Write report"},
			{`{"due_from":"2025-03-04"}`, "Write report,Plan offsite"},
			{`{"due_to":"2025-03-31","assignee_id":"m4"}`, "Call Jane"},
		} {
			if got := titles(tt.args); got != tt.want {
				t.Errorf("search %s = %q, want %q", tt.args, got, tt.want)
			}
		}
	})
}

func TestPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		var want []string
		for i := range 23 {
			title := fmt.Sprintf("Task %02d", i)
			f.must(owner, "tasks_create", `{"title":"`+title+`"}`)
			want = append(want, title)
			if i%5 == 0 {
				f.tick() // several tasks share a created_at: the id breaks ties
			}
		}
		var got []string
		cursor, pages := "", 0
		for {
			args, _ := json.Marshal(map[string]any{"limit": 10, "cursor": cursor})
			p := f.must(owner, "tasks_search", string(args)).Data.(tasks.Page)
			pages++
			for _, tk := range p.Tasks {
				got = append(got, tk.Title)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%d pages: %v", pages, got)
		}
		if p := f.must(owner, "tasks_search", `{}`).Data.(tasks.Page); len(p.Tasks) != 20 || p.NextCursor == "" {
			t.Fatalf("default page: %d tasks, cursor %q", len(p.Tasks), p.NextCursor)
		}
	})
}

// TestGoAPI covers the functions the CLI and demo seeding call directly.
func TestGoAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		ctx := context.Background()
		err := db.InTx(ctx, func(tx store.Tx) error {
			tk, err := tasks.Create(ctx, tx, "w1", "m1", tasks.New{Title: "Seeded", Due: "2025-05-01", AssigneeID: "m4"}, clock)
			if err != nil {
				return err
			}
			if _, _, err := tasks.Assign(ctx, tx, "w1", tk.ID, "m1", clock); err != nil {
				return err
			}
			tk, changed, err := tasks.Complete(ctx, tx, "w1", tk.ID, clock)
			if err != nil || !changed || tk.Status != tasks.Done || tk.AssigneeName != "Olivia Owner" {
				return fmt.Errorf("complete: %+v %v %v", tk, changed, err)
			}
			if _, err := tasks.Delete(ctx, tx, "w2", tk.ID); !errs.Is(err, errs.NotFound) {
				return fmt.Errorf("delete from w2: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
