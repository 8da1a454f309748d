package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/email"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/org"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// allTools are the workspace tools of DESIGN §8 plus the ask tool.
var allTools = []string{
	"contacts_search", "contacts_get", "contacts_create", "contacts_update", "contacts_delete",
	"tasks_search", "tasks_create", "tasks_update", "tasks_assign", "tasks_complete", "tasks_delete",
	"email_send", "email_search", "files_search", "files_list", "files_get", "files_create_folder",
	"files_move", "files_rename", "files_delete", "org_departments", "org_teams", "org_members",
	"extensions_list", agent.AskTool,
}

// callerID is the member the flow workspace's caller is ("me").
const callerID = "m2"

const testToday = "2026-03-04" // a Wednesday

// toolWS is a workspace on SQLite answered by the real tools, for the
// flow tests. Records have short aliases (ct1, t2, f3, m1, d1, tm2) so a
// test can name the arguments it expects: the real ids in every call are
// replaced by their aliases before they are compared, and records made
// during a test get the next alias of their kind (ct101, t102, …).
type toolWS struct {
	t      *testing.T
	db     *store.DB
	fs     *files.Service
	reg    *workspace.Registry
	caller workspace.Caller
	// smtp, set by a setup before the first call, gives the email tools a
	// real relay on 127.0.0.1 that accepts every message.
	smtp bool
	// fail makes a tool return this error instead of running (a database
	// or tool failure the agent must report).
	fail  map[string]string
	calls []agent.ToolCall // every call made, ids replaced by aliases
	alias map[string]string
	seq   int
}

// newWS seeds the flow workspace: contacts Jane Doe (ct1), Jane Roe
// (ct2), John Smith (ct3), Bob Stone (ct4); members Maria Garcia (m1),
// Tom Lee (m2, the caller), Mariana Silva (m3), Ada Lovelace (m4), Tom
// Hardy (m5); departments Engineering (d1, lead Ada) and Sales (d2, no
// lead) with the teams Sales (tm1) and Platform (tm2); tasks Send Q1
// report (t1), Call Jane (t2), Send Q1 report to board (t3, done); the
// folders Reports (f1, holding Q1 report.pdf, f2) and Archive (f5) and
// the files budget-2026.xlsx (f3) and budget-2025.xlsx (f4).
func newWS(t *testing.T) *toolWS {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	const ws = "w1"
	if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, ws, "Flow", int64(1)); err != nil {
		t.Fatal(err)
	}
	for _, m := range [][]string{
		{"m1", "Maria Garcia", "maria@example.com", "admin"},
		{"m2", "Tom Lee", "tom@example.com", "admin"},
		{"m3", "Mariana Silva", "mariana@example.com", "member"},
		{"m4", "Ada Lovelace", "ada@example.com", "owner"},
		{"m5", "Tom Hardy", "hardy@example.com", "viewer"},
	} {
		if _, err := db.Exec(ctx, `INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			m[0], ws, m[1], m[2], m[3], int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	w := &toolWS{t: t, db: db, fs: &files.Service{Now: time.Now}, fail: map[string]string{}, alias: map[string]string{},
		caller: workspace.Caller{WorkspaceID: ws, MemberID: callerID, Role: workspace.Admin}}
	now, _ := time.Parse(time.DateOnly, testToday)
	w.tx(func(tx store.Tx) error {
		for i, f := range []contacts.Fields{
			{Name: "Jane Doe", Email: "jane@acme.com", Company: "Acme Corp", Title: "CEO", City: "London", Tags: []string{"vip"}},
			{Name: "Jane Roe", Email: "jane@initech.com", Company: "Initech", City: "Paris"},
			{Name: "John Smith", Email: "john@globex.com", Company: "Globex", City: "London"},
			{Name: "Bob Stone", Company: "Initech", City: "Berlin"},
		} {
			c, err := contacts.Create(ctx, tx, ws, callerID, f, now)
			if err != nil {
				return err
			}
			w.alias[c.ID] = fmt.Sprintf("ct%d", i+1)
		}
		eng, err := org.CreateDepartment(ctx, tx, ws, "Engineering", "m4")
		if err != nil {
			return err
		}
		sales, err := org.CreateDepartment(ctx, tx, ws, "Sales", "")
		if err != nil {
			return err
		}
		w.alias[eng.ID], w.alias[sales.ID] = "d1", "d2"
		for i, tm := range []struct {
			dept, name, lead string
			members          []string
		}{{sales.ID, "Sales", "m1", []string{"m1", "m2"}}, {eng.ID, "Platform", "m4", []string{"m4", "m3"}}} {
			team, err := org.CreateTeam(ctx, tx, ws, tm.dept, tm.name, tm.lead)
			if err != nil {
				return err
			}
			w.alias[team.ID] = fmt.Sprintf("tm%d", i+1)
			for _, m := range tm.members {
				if err := org.AddToTeam(ctx, tx, ws, team.ID, m); err != nil {
					return err
				}
			}
		}
		for i, n := range []tasks.New{
			{Title: "Send Q1 report", Due: "2026-12-05", AssigneeID: "m1"},
			{Title: "Call Jane"},
			{Title: "Send Q1 report to board"},
		} {
			tk, err := tasks.Create(ctx, tx, ws, callerID, n, now)
			if err != nil {
				return err
			}
			w.alias[tk.ID] = fmt.Sprintf("t%d", i+1)
			if i == 2 {
				if _, _, err := tasks.Complete(ctx, tx, ws, tk.ID, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	reports := w.folder("Reports")
	w.alias[reports] = "f1"
	w.put(reports, "Q1 report.pdf", "application/pdf", strings.Repeat("x", 123456), "f2")
	w.put("", "budget-2026.xlsx", "application/octet-stream", strings.Repeat("b", 2048), "f3")
	w.put("", "budget-2025.xlsx", "application/octet-stream", strings.Repeat("b", 2048), "f4")
	w.alias[w.folder("Archive")] = "f5"
	return w
}

func (w *toolWS) tx(fn func(store.Tx) error) {
	w.t.Helper()
	if err := w.db.InTx(context.Background(), fn); err != nil {
		w.t.Fatalf("seed the flow workspace: %v", err)
	}
}

func (w *toolWS) folder(name string) string {
	w.t.Helper()
	reg := workspace.NewRegistry(w.db, time.Now)
	reg.Add(w.fs.Tools()...)
	res, err := reg.Call(context.Background(), w.caller, "files_create_folder", json.RawMessage(`{"name":"`+name+`"}`))
	if err != nil {
		w.t.Fatalf("seed folder %s: %v", name, err)
	}
	var f struct {
		File struct{ ID string } `json:"file"`
	}
	b, _ := json.Marshal(res.Data)
	_ = json.Unmarshal(b, &f)
	return f.File.ID
}

func (w *toolWS) put(folder, name, ctype, content, alias string) {
	w.t.Helper()
	w.tx(func(tx store.Tx) error {
		f, err := w.fs.Put(context.Background(), tx, w.caller, folder, name, ctype, strings.NewReader(content))
		w.alias[f.ID] = alias
		return err
	})
}

// addContacts adds contacts with the given names at company.
func (w *toolWS) addContacts(company string, names ...string) {
	w.t.Helper()
	now, _ := time.Parse(time.DateOnly, testToday)
	w.tx(func(tx store.Tx) error {
		for _, n := range names {
			if _, err := contacts.Create(context.Background(), tx, w.caller.WorkspaceID, callerID, contacts.Fields{Name: n, Company: company}, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// call runs a tool for a test's setup (not logged as the agent's call)
// and returns its data.
func (w *toolWS) call(tool, args string) obj {
	w.t.Helper()
	res, err := w.registry().Call(context.Background(), w.caller, tool, json.RawMessage(args))
	if err != nil {
		w.t.Fatalf("setup %s: %v", tool, err)
	}
	var o obj
	b, _ := json.Marshal(res.Data)
	_ = json.Unmarshal(b, &o)
	return o
}

// id is the real id of an alias.
func (w *toolWS) id(alias string) string {
	for id, a := range w.alias {
		if a == alias {
			return id
		}
	}
	w.t.Fatalf("no record has the alias %s", alias)
	return ""
}

// registry builds the tools once, after the setup has run.
func (w *toolWS) registry() *workspace.Registry {
	if w.reg != nil {
		return w.reg
	}
	cfg := email.Config{}
	if w.smtp {
		cfg = email.Config{Host: "127.0.0.1", Port: startRelay(w.t), From: "agent@example.com", TLS: email.TLSNone}
	}
	w.reg = workspace.NewRegistry(w.db, time.Now)
	w.reg.Add(contacts.Tools()...)
	w.reg.Add(tasks.Tools()...)
	w.reg.Add(org.Tools()...)
	w.reg.Add(w.fs.Tools()...)
	w.reg.Add(email.New(cfg).Tools()...)
	w.reg.Add(flowExtensions())
	return w.reg
}

var reULID = regexp.MustCompile(`"([0-9A-HJKMNP-TV-Z]{26})"`)

// run answers one call with the real tool, as the loop does: errors
// become {"error": …} and data from outside is wrapped.
func (w *toolWS) run(c agent.ToolCall) agent.ToolResult {
	w.t.Helper()
	real := c.Args
	logged := c
	logged.Args = json.RawMessage(w.aliased(string(c.Args)))
	w.calls = append(w.calls, logged)
	if msg, ok := w.fail[c.Name]; ok {
		return errResult(c, msg)
	}
	res, err := w.registry().Call(context.Background(), w.caller, c.Name, real)
	if err != nil {
		return errResult(c, errs.Message(err))
	}
	var v any = res.Data
	if res.Untrusted {
		v = map[string]any{"untrusted_data": res.Data, "note": "Content from outside the workspace."}
	}
	raw, _ := json.Marshal(v)
	// Records made by this call get the next alias of their kind.
	if strings.HasSuffix(c.Name, "_create") || c.Name == "files_create_folder" || c.Name == "email_send" {
		for _, m := range reULID.FindAllStringSubmatch(string(raw), -1) {
			if _, ok := w.alias[m[1]]; !ok {
				w.seq++
				w.alias[m[1]] = fmt.Sprintf("%s%d", map[string]string{"contacts": "ct", "tasks": "t", "files": "f", "email": "e"}[strings.Split(c.Name, "_")[0]], 100+w.seq)
				break
			}
		}
	}
	return agent.ToolResult{CallID: c.ID, Name: c.Name, Content: raw}
}

// aliased replaces the real ids in s by their aliases.
func (w *toolWS) aliased(s string) string {
	return reULID.ReplaceAllStringFunc(s, func(q string) string {
		if a, ok := w.alias[strings.Trim(q, `"`)]; ok {
			return `"` + a + `"`
		}
		return q
	})
}

func errResult(c agent.ToolCall, msg string) agent.ToolResult {
	raw, _ := json.Marshal(map[string]string{"error": msg})
	return agent.ToolResult{CallID: c.ID, Name: c.Name, Content: raw, IsError: true}
}

// flowExtensions stands in for the extensions package's tool (which
// needs running extension hosts): one reachable extension with a tool,
// one unreachable, one reachable with two tools.
func flowExtensions() workspace.Tool {
	return workspace.Tool{
		Name: "extensions_list", Description: "List installed extensions.",
		Schema: json.RawMessage(`{"type":"object","properties":{}}`),
		Scope:  "extensions:read", Effect: workspace.Read,
		Run: func(context.Context, workspace.Env, json.RawMessage) (workspace.Result, error) {
			return workspace.Result{Data: map[string]any{"extensions": []map[string]any{
				{"name": "weather", "version": "1.2.0", "tools": []any{map[string]any{"name": "forecast"}}},
				{"name": "crm", "host": "crm.example.com", "status": "unreachable", "error": "connection refused", "tools": []any{}},
				{"name": "erp", "host": "erp.example.com", "status": "reachable", "tools": []any{"ext_erp_orders", "ext_erp_stock"}},
			}}}, nil
		},
	}
}

// startRelay runs an SMTP server on 127.0.0.1 that accepts every message
// and returns its port.
func startRelay(t *testing.T) int {
	t.Helper()
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return acceptAll{}, nil }))
	s.Domain = "localhost"
	s.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

type acceptAll struct{}

func (acceptAll) Mail(string, *smtp.MailOptions) error { return nil }
func (acceptAll) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (acceptAll) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (acceptAll) Reset()                               {}
func (acceptAll) Logout() error                        { return nil }

// convo drives the provider through whole turns against a toolWS.
type convo struct {
	t          *testing.T
	ws         *toolWS
	req        agent.Request
	askResults bool // record a tool result for ask_caller, as some loops do
	ids        map[string]bool
}

func newConvo(t *testing.T, ws *toolWS, tools ...string) *convo {
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
func (w *toolWS) callNames(from int) []string {
	var out []string
	for _, c := range w.calls[from:] {
		out = append(out, c.Name)
	}
	return out
}
