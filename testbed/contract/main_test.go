// Package contract_test checks the public contract in ../shared/DESIGN.md
// against the real binary, black-box: it builds cmd/soisnode once, creates
// workspaces with `soisnode init --json` and other CLI verbs, runs
// `soisnode serve` as a child process on a temporary SQLite database and a
// free loopback port, and talks to it with plain net/http requests — what
// curl would send. One file per DESIGN section; each file starts its own
// node(s).
package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/poll"
)

// binary is the soisnode executable built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "soisnode-contract-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "soisnode")
	cmd := exec.Command("go", "build", "-o", binary, "github.com/soisnode/soisnode/cmd/soisnode")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build soisnode:", err)
		return 1
	}
	return m.Run()
}

// creds is what `soisnode init --json` prints (DESIGN §9).
type creds struct {
	WorkspaceID string `json:"workspace_id"`
	Token       string `json:"token"`
	APIKey      string `json:"api_key"`
	BaseURL     string `json:"base_url"`
}

// node is one `soisnode serve` child process and its database.
type node struct {
	URL  string
	dir  string
	env  []string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
	err  error // the process's exit, once done is closed
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cleanEnv is the test process's environment without any setting the node
// reads, so the developer's shell cannot change a test.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SOIS_") || strings.HasPrefix(k, "GEMINI_") || strings.HasPrefix(k, "OPENAI_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// newNode prepares a node's folder and environment (a temporary SQLite
// database, a free port, extra KEY=VALUE settings) without starting it.
func newNode(t testing.TB, extra ...string) *node {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	n := &node{URL: "http://" + addr, dir: dir}
	n.env = append(cleanEnv(),
		"SOIS_DATABASE_URL=sqlite://"+filepath.Join(dir, "sois.db"),
		"SOIS_DATA_DIR="+filepath.Join(dir, "data"),
		"SOIS_LISTEN="+addr,
	)
	n.env = append(n.env, extra...)
	return n
}

// startNode prepares and serves a node.
func startNode(t testing.TB, extra ...string) *node {
	t.Helper()
	n := newNode(t, extra...)
	n.serve(t)
	return n
}

// serve starts `soisnode serve` and waits until /healthz answers.
func (n *node) serve(t testing.TB) {
	t.Helper()
	n.logs = &syncBuffer{}
	n.done = make(chan struct{})
	n.cmd = exec.Command(binary, "serve")
	n.cmd.Dir = n.dir
	n.cmd.Env = n.env
	n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.err = n.cmd.Wait(); close(n.done) }()
	t.Cleanup(func() { n.stop(t) })
	healthy := poll.Until(30*time.Second, func() bool {
		select {
		case <-n.done:
			t.Fatalf("soisnode serve exited early: %v\n%s", n.err, n.logs)
		default:
		}
		r, err := http.Get(n.URL + "/healthz")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == http.StatusOK
	})
	if !healthy {
		t.Fatalf("soisnode serve did not become healthy\n%s", n.logs)
	}
}

// stop sends SIGTERM and waits for a graceful exit; it reports the exit.
func (n *node) stop(t testing.TB) error {
	if n.cmd == nil || n.cmd.Process == nil {
		return nil
	}
	select {
	case <-n.done:
		return n.err
	default:
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(40 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
		t.Errorf("soisnode serve did not stop within 40s of SIGTERM\n%s", n.logs)
	}
	if t.Failed() {
		t.Logf("node logs:\n%s", n.logs)
	}
	return n.err
}

// cli runs `soisnode args…` with the node's environment.
func (n *node) cli(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return n.cliIn(t, "", args...)
}

func (n *node) cliIn(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = n.dir
	cmd.Env = n.env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("soisnode %v: %v", args, err)
	}
	return o.String(), e.String(), code
}

// mustCLI runs a verb that must succeed and returns its standard output.
func (n *node) mustCLI(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, code := n.cli(t, args...)
	if code != 0 {
		t.Fatalf("soisnode %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// initWorkspace runs `soisnode init --json`.
func (n *node) initWorkspace(t testing.TB) creds {
	t.Helper()
	var c creds
	decode(t, n.mustCLI(t, "init", "--json"), &c)
	return c
}

// keyCreate runs `soisnode keys create --json` for workspace ws and returns
// the new key's secret.
func (n *node) keyCreate(t testing.TB, ws string, flags ...string) string {
	t.Helper()
	var k struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	decode(t, n.mustCLI(t, append([]string{"keys", "create", "--json", "--workspace", ws}, flags...)...), &k)
	if k.ID == "" || k.APIKey == "" {
		t.Fatalf("keys create --json: want id and api_key, got %+v", k)
	}
	return k.APIKey
}

func decode(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

// resp is an HTTP answer, read whole.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// m decodes the body as a JSON object.
func (r resp) m(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	r.json(t, &v)
	return v
}

// auth is the pair of credentials DESIGN §2 requires.
type auth struct{ Token, Key string }

func (c creds) auth() auth { return auth{c.Token, c.APIKey} }

// request sends one request the way curl would: body bytes as given,
// headers as given (Content-Type: application/json when there is a body
// and none was named).
func request(t testing.TB, method, url string, a *auth, body []byte, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if a != nil {
		if a.Token != "" {
			req.Header.Set("Authorization", "Bearer "+a.Token)
		}
		if a.Key != "" {
			req.Header.Set("X-Api-Key", a.Key)
		}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{Timeout: 90 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{Status: r.StatusCode, Header: r.Header, Body: b}
}

func (n *node) do(t testing.TB, method, path string, a auth, body any, hdr ...string) resp {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	return request(t, method, n.URL+path, &a, b, hdr...)
}

// checkProblem asserts an RFC 9457 problem+json answer with status want.
func checkProblem(t testing.TB, r resp, want int) map[string]any {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %s, want %d", r, want)
	}
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("status %d: Content-Type = %q, want application/problem+json (body %s)", r.Status, ct, r.Body)
		return nil
	}
	p := r.m(t)
	if s, _ := p["status"].(float64); int(s) != want {
		t.Errorf("problem status = %v, want %d", p["status"], want)
	}
	if _, ok := p["title"].(string); !ok {
		t.Errorf("problem has no title: %s", r.Body)
	}
	return p
}

// conv is a conversation as DESIGN §3 shows it.
type conv struct {
	ID          string          `json:"id"`
	Status      string          `json:"status"`
	Error       string          `json:"error"`
	Turns       []turn          `json:"turns"`
	Reply       string          `json:"reply"`
	SignedReply string          `json:"signed_reply"`
	CostUSD     string          `json:"cost_usd"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
}

type turn struct {
	Turn       int      `json:"turn"`
	Message    string   `json:"message"`
	Reply      string   `json:"reply"`
	Status     string   `json:"status"`
	Error      string   `json:"error"`
	Actions    []action `json:"actions"`
	CostUSD    string   `json:"cost_usd"`
	StartedAt  string   `json:"started_at"`
	FinishedAt string   `json:"finished_at"`
}

type action struct {
	Tool    string `json:"tool"`
	OK      bool   `json:"ok"`
	Ref     string `json:"ref"`
	Summary string `json:"summary"`
}

type accepted struct {
	ConversationID string `json:"conversation_id"`
	Status         string `json:"status"`
	PollURL        string `json:"poll_url"`
}

// send posts a message and returns the conversation once its turn stops.
func (n *node) send(t testing.TB, a auth, body map[string]any) conv {
	t.Helper()
	r := n.do(t, "POST", "/api/agent?wait=30", a, body)
	switch r.Status {
	case http.StatusOK:
		var c conv
		r.json(t, &c)
		return c
	case http.StatusAccepted:
		var acc accepted
		r.json(t, &acc)
		return n.waitStopped(t, a, acc.ConversationID)
	}
	t.Fatalf("POST /api/agent = %s", r)
	return conv{}
}

func (n *node) waitStopped(t testing.TB, a auth, id string) conv {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := n.do(t, "GET", "/api/agent/conversations/"+id+"?wait=10", a, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET conversation = %s", r)
		}
		var c conv
		r.json(t, &c)
		if c.Status != "queued" && c.Status != "running" {
			return c
		}
	}
	t.Fatalf("conversation %s did not stop in time", id)
	return conv{}
}

// isMoney reports whether s is a decimal USD string (never a float).
func isMoney(s string) bool {
	if s == "" {
		return false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		return false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
