package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestPermissionMatrix: role × key scopes × every built-in tool. A tool is
// reachable exactly when the role may perform its effect and a scope
// covers it; viewers and read-only keys never reach a write tool.
func TestPermissionMatrix(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	ctx := context.Background()
	owner := workspace.Caller{WorkspaceID: "w", MemberID: "m", Role: workspace.Owner}
	all, err := n.Registry().List(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 24 {
		t.Fatalf("only %d tools registered", len(all))
	}
	writes := map[string]bool{}
	for _, tool := range all {
		writes[tool.Name] = tool.Effect != workspace.Read
		family, action, _ := strings.Cut(tool.Scope, ":")
		if family+"_" != tool.Name[:len(family)+1] && !strings.HasPrefix(tool.Name, "extensions") {
			t.Errorf("tool %s has scope %s of another family", tool.Name, tool.Scope)
		}
		if (tool.Effect == workspace.Read) != (action == "read") {
			t.Errorf("tool %s: effect %s but scope %s", tool.Name, tool.Effect, tool.Scope)
		}
	}
	for _, name := range []string{"contacts_delete", "tasks_delete", "files_delete"} {
		if tool, _ := n.Registry().Lookup(ctx, owner, name); tool.Effect != workspace.Destroy {
			t.Errorf("%s is not marked destructive", name)
		}
	}
	scopeSets := [][]string{nil, {"contacts:read"}, {"contacts:*"}, {"tasks:write", "tasks:read"}, {"email:send"}, {"*"}, {"files:read", "org:read"}}
	for _, role := range []workspace.Role{workspace.Owner, workspace.Admin, workspace.Member, workspace.Viewer} {
		for _, scopes := range scopeSets {
			c := workspace.Caller{WorkspaceID: "w", MemberID: "m", Role: role, KeyID: "k", Scopes: scopes}
			for _, tool := range all {
				want := (role != workspace.Viewer || tool.Effect == workspace.Read) && workspace.ScopeAllows(scopes, tool.Scope)
				_, err := n.Registry().Lookup(ctx, c, tool.Name)
				if (err == nil) != want {
					t.Errorf("role %s scopes %v tool %s: allowed=%v, want %v", role, scopes, tool.Name, err == nil, want)
				}
				if err != nil && !errs.Is(err, errs.Forbidden) {
					t.Errorf("refusal of %s is %v, want Forbidden", tool.Name, err)
				}
				if role == workspace.Viewer && writes[tool.Name] && err == nil {
					t.Errorf("a viewer reached %s", tool.Name)
				}
			}
		}
	}
	// A contacts:read key reaches exactly the contact read tools.
	c := workspace.Caller{WorkspaceID: "w", MemberID: "m", Role: workspace.Owner, Scopes: []string{"contacts:read"}}
	listed, _ := n.Registry().List(ctx, c)
	var names []string
	for _, tool := range listed {
		names = append(names, tool.Name)
	}
	if strings.Join(names, ",") != "contacts_get,contacts_search" {
		t.Fatalf("contacts:read lists %v", names)
	}
}

// TestWorkspaceIsolation calls every tool that takes an id with another
// workspace's ids: each is NotFound and the other workspace is unchanged.
func TestWorkspaceIsolation(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n := testbed.Start(t, node.Config{DatabaseURL: url})
			ctx := context.Background()
			a := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			b := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			ca := workspace.Caller{WorkspaceID: a.WorkspaceID, MemberID: a.MemberID, Role: workspace.Owner}
			cb := workspace.Caller{WorkspaceID: b.WorkspaceID, MemberID: b.MemberID, Role: workspace.Owner}
			call := func(c workspace.Caller, tool string, args map[string]any) (map[string]any, error) {
				raw, _ := json.Marshal(args)
				res, err := n.Registry().Call(ctx, c, tool, raw)
				if err != nil {
					return nil, err
				}
				var out map[string]any
				j, _ := json.Marshal(res.Data)
				_ = json.Unmarshal(j, &out)
				return out, nil
			}
			id := func(out map[string]any, key string) string {
				m, _ := out[key].(map[string]any)
				s, _ := m["id"].(string)
				if s == "" {
					t.Fatalf("no %s id in %v", key, out)
				}
				return s
			}
			must := func(out map[string]any, err error) map[string]any {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			contact := id(must(call(cb, "contacts_create", map[string]any{"name": "Bea B", "email": "bea@b.example"})), "contact")
			task := id(must(call(cb, "tasks_create", map[string]any{"title": "B's task", "contact_id": contact})), "task")
			folder := id(must(call(cb, "files_create_folder", map[string]any{"name": "B folder"})), "file")
			email := id(must(call(cb, "email_send", map[string]any{"to": []string{contact}, "subject": "hi", "body": "b"})), "email")
			_ = email
			probes := []struct {
				tool string
				args map[string]any
			}{
				{"contacts_get", map[string]any{"id": contact}},
				{"contacts_update", map[string]any{"id": contact, "name": "Stolen"}},
				{"contacts_delete", map[string]any{"id": contact}},
				{"tasks_update", map[string]any{"id": task, "title": "Stolen"}},
				{"tasks_assign", map[string]any{"id": task, "assignee_id": a.MemberID}},
				{"tasks_complete", map[string]any{"id": task}},
				{"tasks_delete", map[string]any{"id": task}},
				{"tasks_create", map[string]any{"title": "x", "contact_id": contact}},
				{"tasks_create", map[string]any{"title": "x", "assignee_id": b.MemberID}},
				{"tasks_search", map[string]any{"contact_id": contact}},
				{"files_get", map[string]any{"id": folder}},
				{"files_list", map[string]any{"folder_id": folder}},
				{"files_rename", map[string]any{"id": folder, "name": "Stolen"}},
				{"files_move", map[string]any{"id": folder, "folder_id": ""}},
				{"files_delete", map[string]any{"id": folder}},
				{"files_create_folder", map[string]any{"name": "x", "parent_id": folder}},
				{"email_send", map[string]any{"to": []string{contact}, "subject": "x", "body": "x"}},
				{"org_teams", map[string]any{"member_id": b.MemberID}},
			}
			for _, p := range probes {
				_, err := call(ca, p.tool, p.args)
				if !errs.Is(err, errs.NotFound) {
					t.Errorf("%s with another workspace's id: %v, want NotFound", p.tool, err)
				}
			}
			// Searches from A see nothing of B.
			for _, tool := range []string{"contacts_search", "tasks_search", "files_search", "email_search", "org_members"} {
				out := must(call(ca, tool, map[string]any{}))
				if s := fmt.Sprint(out); strings.Contains(s, "Bea") || strings.Contains(s, "B folder") || strings.Contains(s, "B's task") || strings.Contains(s, b.MemberID) {
					t.Errorf("%s from workspace A shows B's data: %s", tool, s)
				}
			}
			// B is unchanged.
			got := must(call(cb, "contacts_get", map[string]any{"id": contact}))
			if got["contact"].(map[string]any)["name"] != "Bea B" {
				t.Fatalf("B's contact changed: %v", got)
			}
			tk := must(call(cb, "tasks_search", map[string]any{}))
			if s := fmt.Sprint(tk); !strings.Contains(s, "B's task") || strings.Contains(s, "done") {
				t.Fatalf("B's task changed: %s", s)
			}
		})
	}
}
