package webhook_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/npmtool"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// TestDocumentedReceivers: the Node.js and Go receivers in
// docs/webhooks.md, run exactly as written, accept a real node's delivery
// (signed with the key's webhook secret from `keys create`) and refuse a
// forged one.
func TestDocumentedReceivers(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	jsDir, _ := filepath.Abs(filepath.Join("testdata", "js"))
	npmtool.Install(t, jsDir)
	if err := os.WriteFile(filepath.Join(jsDir, "receiver.gen.mjs"), []byte(codeBlock(t, doc, "node", "js")), 0o644); err != nil {
		t.Fatal(err)
	}
	goDir, _ := filepath.Abs(filepath.Join("testdata", "goreceiver"))
	if err := os.WriteFile(filepath.Join(goDir, "main.go"), []byte(codeBlock(t, doc, "go", "go")), 0o644); err != nil {
		t.Fatal(err)
	}
	goBin := filepath.Join(t.TempDir(), "receiver")
	npmtool.Run(t, "..", 5*time.Minute, "go", "build", "-o", goBin, "./webhook/testdata/goreceiver")

	delivered := make(chan webhook.AttemptEvent, 8)
	dataDir := t.TempDir()
	url := storetest.SQLiteURL(t)
	n := testbed.Start(t, node.Config{DatabaseURL: url, DataDir: dataDir, WebhookAllowHosts: []string{"127.0.0.1"},
		OnDeliveryAttempt: func(ev webhook.AttemptEvent) { delivered <- ev }})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	env := map[string]string{"SOIS_DATABASE_URL": url, "SOIS_DATA_DIR": dataDir, "SOIS_WORKSPACE": c.WorkspaceID,
		"SOIS_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"}
	var created struct {
		ID            string `json:"id"`
		APIKey        string `json:"api_key"`
		WebhookSecret string `json:"webhook_secret"`
	}
	cliJSON(t, env, &created, "keys", "create", "--name", "documented receivers", "--json")
	c.KeyID, c.APIKey = created.ID, created.APIKey

	for _, r := range []struct {
		name string
		cmd  func(port string) *exec.Cmd
	}{
		{"node", func(port string) *exec.Cmd {
			cmd := exec.Command("node", "receiver.gen.mjs")
			cmd.Dir = jsDir
			return cmd
		}},
		{"go", func(port string) *exec.Cmd { return exec.Command(goBin) }},
	} {
		t.Run(r.name, func(t *testing.T) {
			port := freePort(t)
			cmd := r.cmd(port)
			cmd.Env = append(os.Environ(), "PORT="+port, "SOIS_WEBHOOK_SECRET="+created.WebhookSecret)
			lines := startReceiver(t, cmd)
			target := "http://127.0.0.1:" + port + "/sois-hook"
			waitListening(t, target)

			// A forged delivery is refused.
			req, _ := http.NewRequest("POST", target, strings.NewReader(`{"event":"conversation.completed","delivery_id":"forged"}`))
			req.Header.Set("webhook-id", "forged")
			req.Header.Set("webhook-timestamp", "1767323045")
			req.Header.Set("webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("forged delivery: %d", resp.StatusCode)
			}

			var out map[string]any
			cliJSON(t, env, &out, "keys", "update", created.ID, "--response-url", target, "--json")
			if r := n.Do("POST", "/api/agent", c, map[string]any{"message": "hello from the docs"}); r.Status != http.StatusAccepted {
				t.Fatalf("POST /api/agent: %d %s", r.Status, r.Body)
			}
			var ev webhook.AttemptEvent
			select {
			case ev = <-delivered:
			case <-time.After(60 * time.Second):
				t.Fatal("no delivery attempt")
			}
			if ev.Status != webhook.StatusDelivered {
				t.Fatalf("the documented %s receiver did not take the delivery: %+v", r.name, ev.Result)
			}
			want := "received conversation.completed " + ev.DeliveryID
			for {
				select {
				case line, ok := <-lines:
					if !ok {
						t.Fatalf("receiver exited without printing %q", want)
					}
					if strings.Contains(line, want) {
						return
					}
				case <-time.After(30 * time.Second):
					t.Fatalf("receiver did not print %q", want)
				}
			}
		})
	}
}

// codeBlock returns the fenced block of lang that follows the marker
// <!-- receiver:NAME --> in doc.
func codeBlock(t *testing.T, doc []byte, name, lang string) string {
	t.Helper()
	re := regexp.MustCompile("(?s)<!-- receiver:" + name + " -->\\s*```" + lang + "\\n(.*?)```")
	m := re.FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/webhooks.md has no %s receiver block", name)
	}
	return string(m[1])
}

// startReceiver starts cmd and returns its output lines (stdout and
// stderr); it is stopped when the test ends.
func startReceiver(t *testing.T, cmd *exec.Cmd) <-chan string {
	t.Helper()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	go func() {
		_ = cmd.Wait()
		pw.Close()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return lines
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// waitListening polls target, every 50 ms up to a deadline, until the
// receiver answers (any status).
func waitListening(t *testing.T, target string) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		resp, err := http.Get(target)
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("receiver at %s never answered: %v", target, err)
		}
	}
}
