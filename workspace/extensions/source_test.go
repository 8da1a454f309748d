package extensions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/extensions"
)

type echoIn struct {
	Text string `json:"text" jsonschema:"what to echo"`
}

type echoOut struct {
	Echo string `json:"echo"`
}

// remote is an extension: a go-sdk MCP server over streamable HTTP with a
// read-only tool, a non-destructive write, a tool without annotations
// (destructive by default) that reports failure, a tool answering with a
// protocol error, and one we cannot offer.
type remote struct {
	*httptest.Server
	lists atomic.Int64 // tools/list requests seen
}

func newRemote(t *testing.T) *remote {
	t.Helper()
	s := sdk.NewServer(&sdk.Implementation{Name: "demo", Version: "1"}, nil)
	sdk.AddTool(s, &sdk.Tool{Name: "echo", Description: "Echo the text back.", Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true}},
		func(ctx context.Context, req *sdk.CallToolRequest, in echoIn) (*sdk.CallToolResult, echoOut, error) {
			return nil, echoOut{Echo: in.Text}, nil
		})
	no := false
	s.AddTool(&sdk.Tool{Name: "update_note", Description: "Update the note.", InputSchema: json.RawMessage(`{"type":"object"}`),
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &no}},
		func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: "note updated"}}}, nil
		})
	s.AddTool(&sdk.Tool{Name: "wipe", Description: "Wipe everything.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: "nothing to wipe"}}}, nil
		})
	s.AddTool(&sdk.Tool{Name: "strict", InputSchema: json.RawMessage(`{"type":"object"}`), Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true}},
		func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "strict says no"}
		})
	s.AddTool(&sdk.Tool{Name: "bad.name", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return &sdk.CallToolResult{}, nil
		})
	r := &remote{}
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s }, nil)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPost {
			body, _ := readBody(req)
			if bytes.Contains(body, []byte(`"tools/list"`)) {
				r.lists.Add(1)
			}
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func readBody(req *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(req.Body)
	req.Body.Close()
	req.Body = readCloser{bytes.NewReader(buf.Bytes())}
	return buf.Bytes(), err
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type env struct {
	db   *store.DB
	reg  *workspace.Registry
	src  *extensions.Source
	clk  *clock
	logs *logBuffer
}

func setup(t *testing.T, db *store.DB, opts ...func(*extensions.Options)) env {
	t.Helper()
	newWorkspace(t, db, "ws1")
	e := env{db: db, clk: &clock{t: time.Unix(1_700_000_000, 0)}, logs: &logBuffer{}}
	o := extensions.Options{
		Now: e.clk.now, Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ListTimeout: 5 * time.Second, CallTimeout: 5 * time.Second,
	}
	for _, f := range opts {
		f(&o)
	}
	e.src = extensions.NewSource(db, o)
	e.reg = workspace.NewRegistry(db, nil)
	e.reg.Add(extensions.Tools(e.src)...)
	e.reg.AddSource(e.src)
	return e
}

var member = workspace.Caller{WorkspaceID: "ws1", MemberID: "m1", Role: workspace.Member, KeyID: "k1"}

func names(t *testing.T, reg *workspace.Registry, c workspace.Caller) []string {
	t.Helper()
	tools, err := reg.List(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tl := range tools {
		out = append(out, tl.Name)
	}
	return out
}

func asJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func TestExtensionThroughRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rem := newRemote(t)
		e := setup(t, db)
		if _, err := add(t, db, "ws1", "demo", rem.URL); err != nil {
			t.Fatal(err)
		}

		want := []string{"ext_demo_echo", "ext_demo_strict", "ext_demo_update_note", "ext_demo_wipe", "extensions_list"}
		if got := names(t, e.reg, member); !slices.Equal(got, want) {
			t.Fatalf("member tools = %v, want %v", got, want)
		}
		tools, _ := e.reg.List(ctx, member)
		effects := map[string]workspace.Effect{}
		for _, tl := range tools {
			effects[tl.Name] = tl.Effect
			if strings.HasPrefix(tl.Name, "ext_") && (tl.Scope != "extensions:use" || !strings.Contains(tl.Description, "(extension demo)")) {
				t.Errorf("%s: scope %q description %q", tl.Name, tl.Scope, tl.Description)
			}
		}
		if effects["ext_demo_echo"] != workspace.Read || effects["ext_demo_update_note"] != workspace.Write || effects["ext_demo_wipe"] != workspace.Destroy {
			t.Fatalf("effects = %v", effects)
		}
		for _, tc := range []struct {
			c    workspace.Caller
			want []string
		}{
			{workspace.Caller{WorkspaceID: "ws1", Role: workspace.Viewer}, []string{"ext_demo_echo", "ext_demo_strict", "extensions_list"}},
			{workspace.Caller{WorkspaceID: "ws1", Role: workspace.Owner, Scopes: []string{"contacts:read"}}, nil},
			{workspace.Caller{WorkspaceID: "ws1", Role: workspace.Owner, Scopes: []string{"extensions:use"}}, want[:4]},
			{workspace.Caller{WorkspaceID: "ws2", Role: workspace.Owner}, []string{"extensions_list"}},
		} {
			if got := names(t, e.reg, tc.c); !slices.Equal(got, tc.want) {
				t.Errorf("%+v: tools = %v, want %v", tc.c, got, tc.want)
			}
		}

		res, err := e.reg.Call(ctx, member, "ext_demo_echo", json.RawMessage(`{"text":"hi"}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := asJSON(t, res.Data); !res.Untrusted || len(res.Actions) != 0 || got["extension"] != "demo" || got["tool"] != "echo" ||
			got["content"].(map[string]any)["echo"] != "hi" {
			t.Fatalf("echo = %+v %v", res, got)
		}

		res, err = e.reg.Call(ctx, member, "ext_demo_update_note", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := asJSON(t, res.Data); got["content"] != "note updated" || len(res.Actions) != 1 || !res.Actions[0].OK ||
			res.Actions[0].Tool != "ext_demo_update_note" {
			t.Fatalf("update_note = %+v %v", res, got)
		}

		res, err = e.reg.Call(ctx, member, "ext_demo_wipe", json.RawMessage(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := asJSON(t, res.Data); got["is_error"] != true || got["content"] != "nothing to wipe" || res.Actions[0].OK {
			t.Fatalf("wipe = %+v %v", res, got)
		}

		// An extension that answers with a protocol error refused the call.
		_, err = e.reg.Call(ctx, member, "ext_demo_strict", nil)
		if !errs.Is(err, errs.Unprocessable) || errs.Message(err) != "extension demo refused the call to strict: strict says no" {
			t.Fatalf("strict: %v", err)
		}

		// The extension's schema is enforced here, before the extension is asked.
		if _, err := e.reg.Call(ctx, member, "ext_demo_echo", json.RawMessage(`{"text":5}`)); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad args: %v", err)
		}
		viewer := workspace.Caller{WorkspaceID: "ws1", Role: workspace.Viewer}
		if _, err := e.reg.Call(ctx, viewer, "ext_demo_wipe", nil); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("viewer wipe: %v", err)
		}

		res, err = e.reg.Call(ctx, viewer, "extensions_list", nil)
		if err != nil {
			t.Fatal(err)
		}
		list := asJSON(t, res.Data)["extensions"].([]any)
		if len(list) != 1 {
			t.Fatalf("extensions_list = %v", list)
		}
		got := list[0].(map[string]any)
		if got["name"] != "demo" || got["status"] != "reachable" || got["host"] != strings.TrimPrefix(rem.URL, "http://") || len(got["tools"].([]any)) != 4 {
			t.Fatalf("extensions_list = %v", got)
		}
		if strings.Contains(e.logs.String(), "bad.name") == false {
			t.Errorf("skipped tool not logged: %s", e.logs.String())
		}
	})
}

func TestUnreachableExtension(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		good, flaky := newRemote(t), newRemote(t)
		dead := httptest.NewServer(http.NotFoundHandler())
		deadHost := strings.TrimPrefix(dead.URL, "http://")
		dead.Close()
		e := setup(t, db)
		for name, url := range map[string]string{
			"good":  good.URL,
			"flaky": strings.Replace(flaky.URL, "http://", "http://bob:s3cret@", 1) + "/mcp?token=tok3n",
			"down":  "http://bob:s3cret@" + deadHost + "/mcp/verysecretpath?token=tok3n",
		} {
			if _, err := add(t, db, "ws1", name, url); err != nil {
				t.Fatal(err)
			}
		}

		got := names(t, e.reg, member)
		if !slices.Contains(got, "ext_good_echo") || !slices.Contains(got, "ext_flaky_echo") || slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, "ext_down_") }) {
			t.Fatalf("tools = %v", got)
		}

		res, err := e.reg.Call(ctx, member, "extensions_list", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res.Data)
		list := asJSON(t, res.Data)["extensions"].([]any)
		down := list[0].(map[string]any) // sorted by name: down, flaky, good
		if down["name"] != "down" || down["status"] != "unreachable" || down["host"] != deadHost ||
			down["error"] != "connection refused" || len(down["tools"].([]any)) != 0 {
			t.Fatalf("down = %v", down)
		}

		// A listed extension that goes away: a clear error, then its tools go.
		flaky.Close()
		_, err = e.reg.Call(ctx, member, "ext_flaky_echo", json.RawMessage(`{"text":"x"}`))
		if !errs.Is(err, errs.Unavailable) || errs.Message(err) != "extension flaky is unreachable: connection refused" {
			t.Fatalf("flaky call: %v", err)
		}
		got = names(t, e.reg, member)
		if slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, "ext_flaky_") }) || !slices.Contains(got, "ext_good_echo") {
			t.Fatalf("after flaky died: %v", got)
		}
		if _, err := e.reg.Call(ctx, member, "ext_good_echo", json.RawMessage(`{"text":"still here"}`)); err != nil {
			t.Fatalf("good: %v", err)
		}
		// A tool of an extension that is down is not offered at all.
		if _, err := e.reg.Call(ctx, member, "ext_down_echo", nil); !errs.Is(err, errs.NotFound) {
			t.Fatalf("down call: %v", err)
		}

		for _, secret := range []string{"s3cret", "tok3n", "verysecretpath", "bob"} {
			if strings.Contains(e.logs.String(), secret) || strings.Contains(string(b), secret) || strings.Contains(err.Error(), secret) {
				t.Fatalf("%q leaked: logs %s\nlist %s", secret, e.logs.String(), b)
			}
		}
		if !strings.Contains(e.logs.String(), "extension unreachable") {
			t.Fatalf("unreachable not logged: %s", e.logs.String())
		}
	})
}

func TestToolListCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rem := newRemote(t)
		e := setup(t, db)
		if _, err := add(t, db, "ws1", "demo", rem.URL); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			names(t, e.reg, member)
		}
		if n := rem.lists.Load(); n != 1 {
			t.Fatalf("tools/list asked %d times within the TTL, want 1", n)
		}
		e.clk.add(61 * time.Second)
		names(t, e.reg, member)
		if n := rem.lists.Load(); n != 2 {
			t.Fatalf("tools/list asked %d times after the TTL, want 2", n)
		}

		// Installed lists are cached too; Forget shows a removal at once.
		ctx := context.Background()
		if err := db.InTx(ctx, func(tx store.Tx) error { return extensions.Remove(ctx, tx, "ws1", "demo") }); err != nil {
			t.Fatal(err)
		}
		e.src.Forget("ws1")
		if got := names(t, e.reg, member); !slices.Equal(got, []string{"extensions_list"}) {
			t.Fatalf("after remove: %v", got)
		}
	})
}

func TestSlowExtension(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		good := newRemote(t)
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client hanging up
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(slow.Close)
		t.Cleanup(func() { close(release) }) // runs first
		e := setup(t, db, func(o *extensions.Options) { o.ListTimeout = 300 * time.Millisecond })
		for name, url := range map[string]string{"good": good.URL, "slow": slow.URL} {
			if _, err := add(t, db, "ws1", name, url); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		got := names(t, e.reg, member)
		if !slices.Contains(got, "ext_good_echo") || slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, "ext_slow_") }) {
			t.Fatalf("tools = %v", got)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("listing waited %v for a silent extension", d)
		}
		res, err := e.reg.Call(ctx, member, "extensions_list", nil)
		if err != nil {
			t.Fatal(err)
		}
		st := asJSON(t, res.Data)["extensions"].([]any)[1].(map[string]any)
		if st["name"] != "slow" || st["error"] != "no answer in time" {
			t.Fatalf("slow = %v", st)
		}
	})
}
