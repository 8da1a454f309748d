package local

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent"
)

// allTools are the workspace tools of DESIGN §8 plus the ask tool.
var allTools = []string{
	"contacts_search", "contacts_get", "contacts_create", "contacts_update", "contacts_delete",
	"tasks_search", "tasks_create", "tasks_update", "tasks_assign", "tasks_complete", "tasks_delete",
	"email_send", "email_search", "files_search", "files_list", "files_get", "files_create_folder",
	"files_move", "files_rename", "files_delete", "org_departments", "org_teams", "org_members",
	"extensions_list", agent.AskTool,
}

// callerID is the member the fake workspace's caller is ("me").
const callerID = "m2"

// fakeWS is a small in-memory workspace that answers tool calls the way
// the real tools do (docs/tools.md), enough to drive whole conversations.
type fakeWS struct {
	seq                    int
	contacts, tasks, files []obj
	members, teams, depts  []obj
	emails, exts           []obj
	smtp                   bool
	fail                   map[string]string // tool → error it returns
	calls                  []agent.ToolCall  // every call made, in order
	pageSize               int               // contacts_search page size cap (0: limit only)
}

func newWS() *fakeWS {
	w := &fakeWS{fail: map[string]string{}}
	w.contacts = []obj{
		{"id": "ct1", "name": "Jane Doe", "email": "jane@acme.com", "company": "Acme Corp", "title": "CEO", "city": "London", "tags": []any{"vip"}},
		{"id": "ct2", "name": "Jane Roe", "email": "jane@initech.com", "company": "Initech", "city": "Paris"},
		{"id": "ct3", "name": "John Smith", "email": "john@globex.com", "company": "Globex", "city": "London"},
		{"id": "ct4", "name": "Bob Stone", "company": "Initech", "city": "Berlin"},
	}
	w.members = []obj{
		{"id": "m1", "name": "Maria Garcia", "email": "maria@example.com", "role": "admin"},
		{"id": "m2", "name": "Tom Lee", "email": "tom@example.com", "role": "member"},
		{"id": "m3", "name": "Mariana Silva", "email": "mariana@example.com", "role": "member"},
		{"id": "m4", "name": "Ada Lovelace", "email": "ada@example.com", "role": "owner"},
		{"id": "m5", "name": "Tom Hardy", "email": "hardy@example.com", "role": "viewer"},
	}
	// Departments carry their lead as a person (the org tools' shape),
	// teams only its id (the shape the brief described): both are read.
	w.depts = []obj{
		{"id": "d1", "name": "Engineering", "lead": map[string]any{"id": "m4", "name": "Ada Lovelace", "email": "ada@example.com", "role": "owner"}},
		{"id": "d2", "name": "Sales", "lead": nil},
	}
	w.teams = []obj{
		{"id": "tm1", "name": "Sales", "department_id": "d2", "lead_id": "m1", "members": []any{
			map[string]any{"id": "m1", "name": "Maria Garcia"}, map[string]any{"id": "m2", "name": "Tom Lee"}}},
		{"id": "tm2", "name": "Platform", "department_id": "d1", "lead_id": "m4", "members": []any{"m4", "m3"}},
	}
	w.tasks = []obj{
		{"id": "t1", "title": "Send Q1 report", "status": "open", "due": "2026-12-05", "assignee_id": "m1"},
		{"id": "t2", "title": "Call Jane", "status": "open"},
		{"id": "t3", "title": "Send Q1 report to board", "status": "done"},
	}
	w.files = []obj{
		{"id": "f1", "name": "Reports", "kind": "folder"},
		{"id": "f2", "name": "Q1 report.pdf", "folder_id": "f1", "size": 123456.0, "content_type": "application/pdf", "kind": "file"},
		{"id": "f3", "name": "budget-2026.xlsx", "kind": "file", "size": 2048.0},
		{"id": "f4", "name": "budget-2025.xlsx", "kind": "file", "size": 2048.0},
		{"id": "f5", "name": "Archive", "kind": "folder"},
	}
	w.exts = []obj{
		{"name": "weather", "version": "1.2.0", "tools": []any{map[string]any{"name": "forecast"}}},
		{"name": "crm", "host": "crm.example.com", "status": "unreachable", "error": "connection refused", "tools": []any{}},
		{"name": "erp", "host": "erp.example.com", "status": "reachable", "tools": []any{"ext_erp_orders", "ext_erp_stock"}},
	}
	return w
}

func (w *fakeWS) id(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%d", prefix, 100+w.seq)
}

// run answers one call like the tool layer would.
func (w *fakeWS) run(c agent.ToolCall) agent.ToolResult {
	w.calls = append(w.calls, c)
	var a obj
	if err := json.Unmarshal(c.Args, &a); err != nil || a == nil {
		return errResult(c, "arguments are not a JSON object")
	}
	if msg, ok := w.fail[c.Name]; ok {
		return errResult(c, msg)
	}
	for _, k := range []string{"assignee_id", "member_id"} {
		if a.str(k) == "me" {
			a[k] = callerID
		}
	}
	data, err := w.dispatch(c.Name, a)
	if err != "" {
		return errResult(c, err)
	}
	if c.Name == "email_search" {
		// Email bodies come from outside: the loop wraps them as data.
		data = map[string]any{"untrusted_data": data, "note": "Content from outside the workspace."}
	}
	raw, _ := json.Marshal(data)
	return agent.ToolResult{CallID: c.ID, Name: c.Name, Content: raw}
}

func errResult(c agent.ToolCall, msg string) agent.ToolResult {
	raw, _ := json.Marshal(map[string]string{"error": msg})
	return agent.ToolResult{CallID: c.ID, Name: c.Name, Content: raw, IsError: true}
}

func has(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }

func (w *fakeWS) dispatch(tool string, a obj) (any, string) {
	switch tool {
	case "contacts_search":
		var out []obj
		for _, c := range w.contacts {
			if q := a.str("query"); q != "" && !has(c.str("name"), q) && !has(c.str("email"), q) && !has(c.str("company"), q) {
				continue
			}
			if v := a.str("name"); v != "" && !has(c.str("name"), v) {
				continue
			}
			if v := a.str("email"); v != "" && !strings.EqualFold(c.str("email"), v) {
				continue
			}
			if v := a.str("company"); v != "" && !has(c.str("company"), v) {
				continue
			}
			if v := a.str("city"); v != "" && !strings.EqualFold(c.str("city"), v) {
				continue
			}
			if v := a.str("tag"); v != "" && !slices.Contains(c.strs("tags"), v) {
				continue
			}
			out = append(out, c)
		}
		limit := int(a.num("limit"))
		if limit == 0 {
			limit = 20
		}
		if w.pageSize > 0 && w.pageSize < limit {
			limit = w.pageSize
		}
		off, _ := strconv.Atoi(a.str("cursor"))
		out = out[min(off, len(out)):]
		next := ""
		if len(out) > limit {
			out, next = out[:limit], strconv.Itoa(off+limit)
		}
		return map[string]any{"contacts": nonNil(out), "next_cursor": next}, ""
	case "contacts_create":
		for _, c := range w.contacts {
			if e := a.str("email"); e != "" && strings.EqualFold(c.str("email"), e) {
				return nil, "a contact with email " + e + " already exists"
			}
		}
		c := obj{"id": w.id("ct")}
		for k, v := range a {
			c[k] = v
		}
		w.contacts = append(w.contacts, c)
		return map[string]any{"contact": c}, ""
	case "contacts_update":
		c := find(w.contacts, a.str("id"))
		if c == nil {
			return nil, "no contact with id " + a.str("id")
		}
		for k, v := range a {
			c[k] = v
		}
		return map[string]any{"contact": c}, ""
	case "contacts_delete":
		return w.remove(&w.contacts, a.str("id"), "contact")
	case "tasks_search":
		var out []obj
		for _, t := range w.tasks {
			if q := a.str("query"); q != "" && !has(t.str("title"), q) {
				continue
			}
			if s := a.str("status"); s != "" && t.str("status") != s {
				continue
			}
			if s := a.str("assignee_id"); s != "" && t.str("assignee_id") != s {
				continue
			}
			if s := a.str("due_from"); s != "" && (t.str("due") == "" || t.str("due") < s) {
				continue
			}
			if s := a.str("due_to"); s != "" && (t.str("due") == "" || t.str("due") > s) {
				continue
			}
			out = append(out, t)
		}
		return map[string]any{"tasks": nonNil(out), "next_cursor": ""}, ""
	case "tasks_create":
		t := obj{"id": w.id("t"), "status": "open"}
		for k, v := range a {
			t[k] = v
		}
		w.tasks = append(w.tasks, t)
		return map[string]any{"task": t}, ""
	case "tasks_update", "tasks_assign", "tasks_complete":
		t := find(w.tasks, a.str("id"))
		if t == nil {
			return nil, "no task with id " + a.str("id")
		}
		for k, v := range a {
			t[k] = v
		}
		if tool == "tasks_complete" {
			t["status"] = "done"
		}
		return map[string]any{"task": t}, ""
	case "tasks_delete":
		return w.remove(&w.tasks, a.str("id"), "task")
	case "email_send":
		status := "not_sent: no SMTP relay configured"
		if w.smtp {
			status = "sent"
		}
		e := obj{"id": w.id("e"), "status": status, "to": a["to"], "subject": a["subject"], "body": a["body"], "attachments": a["attachments"]}
		w.emails = append(w.emails, e)
		return map[string]any{"email": e}, ""
	case "email_search":
		var out []obj
		for _, e := range w.emails {
			if to := a.str("to"); to != "" && !slices.ContainsFunc(e.strs("to"), func(s string) bool { return has(s, to) }) {
				continue
			}
			if s := a.str("status"); s != "" && !strings.HasPrefix(e.str("status"), s) {
				continue
			}
			out = append(out, e)
		}
		return map[string]any{"emails": nonNil(out), "next_cursor": ""}, ""
	case "files_search":
		var out []obj
		for _, f := range w.files {
			if has(f.str("name"), a.str("query")) {
				out = append(out, f)
			}
		}
		return map[string]any{"files": nonNil(out), "next_cursor": ""}, ""
	case "files_list":
		var out []obj
		for _, f := range w.files {
			if f.str("folder_id") == a.str("folder_id") {
				out = append(out, f)
			}
		}
		return map[string]any{"files": nonNil(out), "next_cursor": ""}, ""
	case "files_create_folder":
		f := obj{"id": w.id("f"), "name": a.str("name"), "kind": "folder", "folder_id": a.str("parent_id")}
		w.files = append(w.files, f)
		return map[string]any{"folder": f}, ""
	case "files_rename", "files_move":
		f := find(w.files, a.str("id"))
		if f == nil {
			return nil, "no file with id " + a.str("id")
		}
		if tool == "files_rename" {
			f["name"] = a.str("name")
		} else {
			f["folder_id"] = a.str("folder_id")
		}
		return map[string]any{"file": f}, ""
	case "files_delete":
		return w.remove(&w.files, a.str("id"), "file")
	case "org_departments":
		return map[string]any{"departments": w.depts}, ""
	case "org_teams":
		var out []obj
		for _, t := range w.teams {
			if d := a.str("department_id"); d != "" && t.str("department_id") != d {
				continue
			}
			if m := a.str("member_id"); m != "" && !teamHas(t, m) {
				continue
			}
			out = append(out, t)
		}
		return map[string]any{"teams": nonNil(out)}, ""
	case "org_members":
		var out []obj
		for _, m := range w.members {
			if q := a.str("query"); q != "" && !has(m.str("name"), q) && !has(m.str("email"), q) {
				continue
			}
			if t := a.str("team_id"); t != "" && !teamHas(find(w.teams, t), m.str("id")) {
				continue
			}
			if d := a.str("department_id"); d != "" && !w.inDept(d, m.str("id")) {
				continue
			}
			out = append(out, m)
		}
		return map[string]any{"members": nonNil(out), "next_cursor": ""}, ""
	case "extensions_list":
		return map[string]any{"extensions": nonNil(w.exts)}, ""
	}
	return nil, "unknown tool " + tool
}

func (w *fakeWS) inDept(d, member string) bool {
	for _, t := range w.teams {
		if t.str("department_id") == d && teamHas(t, member) {
			return true
		}
	}
	return false
}

func teamHas(t obj, member string) bool {
	if t == nil {
		return false
	}
	for _, m := range t.list("members") {
		if m.str("id") == member {
			return true
		}
	}
	return slices.Contains(t.strs("members"), member)
}

func (w *fakeWS) remove(list *[]obj, id, what string) (any, string) {
	for i, o := range *list {
		if o.str("id") == id {
			*list = slices.Delete(*list, i, i+1)
			return map[string]any{"deleted": id}, ""
		}
	}
	return nil, "no " + what + " with id " + id
}

func find(list []obj, id string) obj {
	for _, o := range list {
		if o.str("id") == id {
			return o
		}
	}
	return nil
}

func nonNil(l []obj) []obj {
	if l == nil {
		return []obj{}
	}
	return l
}

// convo drives the provider through whole turns against a fakeWS.
type convo struct {
	t          *testing.T
	ws         *fakeWS
	req        agent.Request
	askResults bool // record a tool result for ask_caller, as some loops do
	ids        map[string]bool
}

const testToday = "2026-03-04" // a Wednesday

func newConvo(t *testing.T, ws *fakeWS, tools ...string) *convo {
	t.Helper()
	if tools == nil {
		tools = allTools
	}
	c := &convo{t: t, ws: ws, ids: map[string]bool{}}
	c.req.System = "You are the workspace agent.\nToday is " + testToday + ".\n"
	for _, name := range tools {
		c.req.Tools = append(c.req.Tools, agent.ToolDecl{Name: name, Schema: json.RawMessage(`{"type":"object"}`)})
	}
	return c
}

// step asks the provider for one step, checking the invariants every
// step must keep.
func (c *convo) step() agent.Message {
	c.t.Helper()
	p := New()
	resp, err := p.Generate(context.Background(), c.req)
	if err != nil {
		c.t.Fatalf("Generate: %v", err)
	}
	again, _ := p.Generate(context.Background(), c.req)
	if !reflect.DeepEqual(resp, again) {
		c.t.Fatalf("Generate is not deterministic:\n%+v\n%+v", resp, again)
	}
	if resp.Usage != (agent.Usage{}) || resp.Model != "local" {
		c.t.Fatalf("usage %+v model %q, want zero and local", resp.Usage, resp.Model)
	}
	m := resp.Message
	if m.Role != agent.RoleModel {
		c.t.Fatalf("role %q", m.Role)
	}
	if (m.Text == "") == (len(m.Calls) == 0) {
		c.t.Fatalf("a step must be either text or calls: %+v", m)
	}
	for _, call := range m.Calls {
		if !slices.ContainsFunc(c.req.Tools, func(d agent.ToolDecl) bool { return d.Name == call.Name }) {
			c.t.Fatalf("call of undeclared tool %s", call.Name)
		}
		if c.ids[call.ID] {
			c.t.Fatalf("call id %s reused", call.ID)
		}
		c.ids[call.ID] = true
		var args map[string]any
		if err := json.Unmarshal(call.Args, &args); err != nil || args == nil {
			c.t.Fatalf("args of %s are not an object: %s", call.Name, call.Args)
		}
	}
	c.req.Messages = append(c.req.Messages, m)
	return m
}

// send plays one turn: the user's text, then steps until a final reply
// or a question. It returns the reply or the question.
func (c *convo) send(text string) (reply string, asked bool) {
	c.t.Helper()
	c.req.Messages = append(c.req.Messages, agent.Message{Role: agent.RoleUser, Text: text})
	for range 40 {
		m := c.step()
		if len(m.Calls) == 0 {
			return m.Text, false
		}
		if m.Calls[0].Name == agent.AskTool {
			if len(m.Calls) != 1 {
				c.t.Fatalf("ask_caller must be alone in its message: %+v", m.Calls)
			}
			var a struct{ Question string }
			_ = json.Unmarshal(m.Calls[0].Args, &a)
			if a.Question == "" {
				c.t.Fatalf("ask_caller without a question: %s", m.Calls[0].Args)
			}
			if c.askResults {
				c.req.Messages = append(c.req.Messages, agent.Message{Role: agent.RoleTool, Results: []agent.ToolResult{
					{CallID: m.Calls[0].ID, Name: agent.AskTool, Content: json.RawMessage(`{"status":"asked"}`)}}})
			}
			return a.Question, true
		}
		tm := agent.Message{Role: agent.RoleTool}
		for _, call := range m.Calls {
			tm.Results = append(tm.Results, c.ws.run(call))
		}
		c.req.Messages = append(c.req.Messages, tm)
	}
	c.t.Fatalf("no reply after 40 steps")
	return "", false
}

// callNames lists the tools called since index from of ws.calls.
func (w *fakeWS) callNames(from int) []string {
	var out []string
	for _, c := range w.calls[from:] {
		out = append(out, c.Name)
	}
	return out
}
