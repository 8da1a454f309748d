package files

import (
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

func TestToolsListedAsDocumented(t *testing.T) {
	want := map[string]struct {
		scope  string
		effect workspace.Effect
	}{
		"files_search":        {"files:read", workspace.Read},
		"files_list":          {"files:read", workspace.Read},
		"files_get":           {"files:read", workspace.Read},
		"files_create_folder": {"files:write", workspace.Write},
		"files_move":          {"files:write", workspace.Write},
		"files_rename":        {"files:write", workspace.Write},
		"files_delete":        {"files:write", workspace.Destroy},
	}
	tools := (&Service{}).Tools()
	if len(tools) != len(want) {
		t.Fatalf("%d tools, want %d", len(tools), len(want))
	}
	for _, tool := range tools {
		w, ok := want[tool.Name]
		if !ok || tool.Scope != w.scope || tool.Effect != w.effect || tool.Description == "" {
			t.Errorf("tool %s: scope %s effect %v", tool.Name, tool.Scope, tool.Effect)
		}
	}
}

func TestFolderTools(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res := e.call(e.a, "files_create_folder", map[string]any{"name": "Reports"})
		reports := data[fileData](t, res).File
		if reports.Kind != "folder" || reports.FolderID != "" || reports.CreatedAt != "2025-03-01T12:00:00Z" {
			t.Fatalf("folder = %+v", reports)
		}
		if len(res.Actions) != 1 || res.Actions[0].Ref != "folder/"+reports.ID || !res.Actions[0].OK || res.Actions[0].Tool != "files_create_folder" {
			t.Fatalf("receipt = %+v", res.Actions)
		}
		y2024 := data[fileData](t, e.call(e.a, "files_create_folder", map[string]any{"name": "2024", "parent_id": reports.ID})).File
		deep := data[fileData](t, e.call(e.a, "files_create_folder", map[string]any{"name": "Q1", "parent_id": y2024.ID})).File
		_, err := e.try(e.a, "files_create_folder", map[string]any{"name": "reports"})
		wantKind(t, err, errs.Conflict)
		_, err = e.try(e.a, "files_create_folder", map[string]any{"name": "X", "parent_id": "nope"})
		wantKind(t, err, errs.NotFound)

		plan := e.mustPut(e.a, y2024.ID, "plan.json", `{"goal": "grow"}`)
		a := e.mustPut(e.a, "", "a.txt", "alpha")
		e.mustPut(e.a, "", "b.txt", "bravo")
		e.mustPut(e.a, "", "100%_done.txt", "x")

		// List: folders first, then by name; paging with a cursor.
		root := data[pageData](t, e.call(e.a, "files_list", map[string]any{}))
		if got := names(root); got != "Reports,100%_done.txt,a.txt,b.txt" {
			t.Fatalf("root = %s", got)
		}
		if root.NextCursor == nil || *root.NextCursor != "" {
			t.Fatalf("next_cursor = %v, want present and empty", root.NextCursor)
		}
		var all []string
		cursor := ""
		for range 10 {
			p := data[pageData](t, e.call(e.a, "files_list", map[string]any{"limit": 1, "cursor": cursor}))
			all = append(all, names(p))
			if cursor = *p.NextCursor; cursor == "" {
				break
			}
		}
		if got := strings.Join(all, ","); got != "Reports,100%_done.txt,a.txt,b.txt" {
			t.Fatalf("paged = %s", got)
		}
		_, err = e.try(e.a, "files_list", map[string]any{"cursor": "garbage"})
		wantKind(t, err, errs.Invalid)
		if got := names(data[pageData](t, e.call(e.a, "files_list", map[string]any{"folder_id": y2024.ID}))); got != "Q1,plan.json" {
			t.Fatalf("2024 = %s", got)
		}
		_, err = e.try(e.a, "files_list", map[string]any{"folder_id": a.ID})
		wantKind(t, err, errs.Invalid)
		_, err = e.try(e.a, "files_list", map[string]any{"limit": 101})
		wantKind(t, err, errs.Invalid)

		// Search: case-insensitive substring, LIKE wildcards literal.
		if got := names(data[pageData](t, e.call(e.a, "files_search", map[string]any{"query": "PLAN"}))); got != "plan.json" {
			t.Fatalf("search PLAN = %s", got)
		}
		if got := names(data[pageData](t, e.call(e.a, "files_search", map[string]any{"query": "%_"}))); got != "100%_done.txt" {
			t.Fatalf("search %%_ = %s", got)
		}
		if got := names(data[pageData](t, e.call(e.b, "files_search", map[string]any{"query": "a"}))); got != "" {
			t.Fatalf("workspace B found %s", got)
		}

		// Get, with and without content.
		g := data[fileData](t, e.call(e.a, "files_get", map[string]any{"id": plan.ID}))
		if g.File.Name != "plan.json" || g.File.FolderID != y2024.ID || g.File.Size != 16 || g.Content != "" {
			t.Fatalf("get = %+v", g)
		}
		res = e.call(e.a, "files_get", map[string]any{"id": plan.ID, "include_content": true})
		if g := data[fileData](t, res); g.Content != `{"goal": "grow"}` || !res.Untrusted {
			t.Fatalf("get content = %+v untrusted=%v", g, res.Untrusted)
		}
		bin := e.mustPut(e.a, "", "logo.png", "\x89PNG\r\n\x1a\n")
		if g := data[fileData](t, e.call(e.a, "files_get", map[string]any{"id": bin.ID, "include_content": true})); g.Content != "" || g.Note == "" {
			t.Fatalf("binary content = %+v", g)
		}

		// Rename.
		res = e.call(e.a, "files_rename", map[string]any{"id": a.ID, "name": "A.txt"}) // case-only change of itself
		if r := res.Actions[0]; r.Ref != "file/"+a.ID || !strings.Contains(r.Summary, `"A.txt"`) {
			t.Fatalf("rename receipt = %+v", r)
		}
		_, err = e.try(e.a, "files_rename", map[string]any{"id": a.ID, "name": "B.TXT"})
		wantKind(t, err, errs.Conflict)

		// Move.
		_, err = e.try(e.a, "files_move", map[string]any{"id": reports.ID, "folder_id": reports.ID})
		wantKind(t, err, errs.Invalid)
		_, err = e.try(e.a, "files_move", map[string]any{"id": reports.ID, "folder_id": deep.ID})
		wantKind(t, err, errs.Invalid)
		_, err = e.try(e.a, "files_move", map[string]any{"id": a.ID, "folder_id": plan.ID})
		wantKind(t, err, errs.Invalid)
		res = e.call(e.a, "files_move", map[string]any{"id": a.ID, "folder_id": reports.ID})
		if m := data[fileData](t, res).File; m.FolderID != reports.ID || res.Actions[0].Ref != "file/"+a.ID {
			t.Fatalf("move = %+v %+v", m, res.Actions)
		}
		res = e.call(e.a, "files_move", map[string]any{"id": deep.ID, "folder_id": ""})
		if m := data[fileData](t, res).File; m.FolderID != "" || res.Actions[0].Ref != "folder/"+deep.ID {
			t.Fatalf("move to root = %+v", m)
		}
		e.mustPut(e.a, "", "a.txt", "another a")
		_, err = e.try(e.a, "files_move", map[string]any{"id": a.ID, "folder_id": ""})
		wantKind(t, err, errs.Conflict)

		// Delete a folder: its subtree goes, and the receipt counts it.
		before := e.count()
		res = e.call(e.a, "files_delete", map[string]any{"id": reports.ID})
		d := data[fileData](t, res)
		// Reports, 2024, plan.json, A.txt
		if d.Deleted != 4 || res.Actions[0].Ref != "folder/"+reports.ID || !strings.Contains(res.Actions[0].Summary, "4 in all") {
			t.Fatalf("delete = %+v %+v", d, res.Actions)
		}
		if n := e.count(); n != before-4 {
			t.Fatalf("files after delete = %d, want %d", n, before-4)
		}
		for _, id := range []string{reports.ID, y2024.ID, plan.ID, a.ID} {
			_, err = e.try(e.a, "files_get", map[string]any{"id": id})
			wantKind(t, err, errs.NotFound)
		}
		res = e.call(e.a, "files_delete", map[string]any{"id": bin.ID})
		if d := data[fileData](t, res); d.Deleted != 1 || res.Actions[0].Ref != "file/"+bin.ID {
			t.Fatalf("delete file = %+v %+v", d, res.Actions)
		}
		if got := names(data[pageData](t, e.call(e.a, "files_list", map[string]any{}))); got != "Q1,100%_done.txt,a.txt,b.txt" {
			t.Fatalf("root after = %s", got)
		}
	})
}

func TestOtherWorkspaceIsNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dir := data[fileData](t, e.call(e.a, "files_create_folder", map[string]any{"name": "Private"})).File
		f := e.mustPut(e.a, dir.ID, "secret.txt", "s3cret")
		mine := data[fileData](t, e.call(e.b, "files_create_folder", map[string]any{"name": "Mine"})).File
		before := e.count()
		for _, c := range []struct {
			tool string
			args map[string]any
		}{
			{"files_get", map[string]any{"id": f.ID, "include_content": true}},
			{"files_list", map[string]any{"folder_id": dir.ID}},
			{"files_rename", map[string]any{"id": f.ID, "name": "mine.txt"}},
			{"files_move", map[string]any{"id": f.ID, "folder_id": ""}},
			{"files_move", map[string]any{"id": mine.ID, "folder_id": dir.ID}},
			{"files_create_folder", map[string]any{"name": "X", "parent_id": dir.ID}},
			{"files_delete", map[string]any{"id": dir.ID}},
		} {
			_, err := e.try(e.b, c.tool, c.args)
			if !errs.Is(err, errs.NotFound) {
				t.Errorf("%s %v = %v, want NotFound", c.tool, c.args, err)
			}
		}
		if n := e.count(); n != before {
			t.Fatalf("files = %d, want %d", n, before)
		}
		// Viewers read but never write; a read-only key cannot delete.
		viewer := e.a
		viewer.Role = workspace.Viewer
		e.call(viewer, "files_list", map[string]any{})
		_, err := e.try(viewer, "files_delete", map[string]any{"id": f.ID})
		wantKind(t, err, errs.Forbidden)
		readOnly := e.a
		readOnly.Scopes = []string{"files:read"}
		_, err = e.try(readOnly, "files_rename", map[string]any{"id": f.ID, "name": "x"})
		wantKind(t, err, errs.Forbidden)
	})
}
