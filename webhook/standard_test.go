package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/npmtool"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// captured is one delivery as a receiver saw it.
type captured struct {
	Header http.Header
	Body   []byte
}

// TestStandardWebhooksLibraries: a real node's deliveries, for a key made
// by `soisnode keys create`, verify with the released Standard Webhooks
// libraries (Go v1.3.0 and npm standardwebhooks 1.3.0) under the key's
// webhook secret; a tampered body, a stale timestamp and a wrong secret are
// rejected by both; after `keys rotate-secret` deliveries verify under the
// new and (during the grace period) the old secret.
func TestStandardWebhooksLibraries(t *testing.T) {
	jsDir, err := filepath.Abs(filepath.Join("testdata", "js"))
	if err != nil {
		t.Fatal(err)
	}
	npmtool.Install(t, jsDir)
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			got := make(chan captured, 8)
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got <- captured{Header: r.Header.Clone(), Body: body}
			}))
			defer recv.Close()
			var skew atomic.Int64 // the node's clock offset, to produce a stale delivery
			dataDir := t.TempDir()
			n := testbed.Start(t, node.Config{DatabaseURL: url, DataDir: dataDir, Provider: &testbed.Script{Step: testbed.Echo},
				WebhookAllowHosts: []string{"127.0.0.1"},
				Now:               func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			env := map[string]string{"SOIS_DATABASE_URL": url, "SOIS_DATA_DIR": dataDir, "SOIS_WORKSPACE": c.WorkspaceID,
				"SOIS_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"}
			var created struct {
				ID            string `json:"id"`
				APIKey        string `json:"api_key"`
				WebhookSecret string `json:"webhook_secret"`
			}
			cliJSON(t, env, &created, "keys", "create", "--name", "receiver", "--response-url", recv.URL+"/hook", "--json")
			if !strings.HasPrefix(created.WebhookSecret, webhook.SecretPrefix) {
				t.Fatalf("keys create printed no webhook secret: %+v", created)
			}
			if raw, err := webhook.ParseSecret(created.WebhookSecret); err != nil || len(raw) < 24 || len(raw) > 64 {
				t.Fatalf("secret %q: %d bytes, %v", created.WebhookSecret, len(raw), err)
			}
			c.KeyID, c.APIKey = created.ID, created.APIKey
			deliver := func(msg string) captured {
				t.Helper()
				if r := n.Do("POST", "/api/agent", c, map[string]any{"message": msg}); r.Status != http.StatusAccepted {
					t.Fatalf("POST /api/agent: %d %s", r.Status, r.Body)
				}
				select {
				case d := <-got:
					return d
				case <-time.After(30 * time.Second):
					t.Fatal("no delivery arrived")
				}
				return captured{}
			}
			fresh := deliver("fresh")
			skew.Store(int64(-10 * time.Minute))
			stale := deliver("stale")
			skew.Store(0)
			tampered := captured{Header: fresh.Header, Body: bytes.Replace(fresh.Body, []byte("fresh"), []byte("frash"), 1)}
			if bytes.Equal(tampered.Body, fresh.Body) {
				t.Fatalf("body %s has nothing to tamper with", fresh.Body)
			}
			if sig := fresh.Header.Get("webhook-signature"); !strings.HasPrefix(sig, "v1,") || !strings.Contains(sig, " v1a,") {
				t.Fatalf("webhook-signature %q lacks v1 or v1a", sig)
			}
			wrong := webhook.FormatSecret(bytes.Repeat([]byte{7}, 32))

			var rotated struct {
				WebhookSecret     string     `json:"webhook_secret"`
				PreviousExpiresAt *time.Time `json:"previous_expires_at"`
			}
			cliJSON(t, env, &rotated, "keys", "rotate-secret", created.ID, "--json")
			if rotated.WebhookSecret == created.WebhookSecret || rotated.PreviousExpiresAt == nil ||
				rotated.PreviousExpiresAt.Sub(time.Now()) < webhook.SecretGrace-time.Minute {
				t.Fatalf("rotate-secret: %+v", rotated)
			}
			after := deliver("after rotation")

			cases := []struct {
				name   string
				secret string
				d      captured
				ok     bool
			}{
				{"fresh", created.WebhookSecret, fresh, true},
				{"tampered body", created.WebhookSecret, tampered, false},
				{"stale timestamp", created.WebhookSecret, stale, false},
				{"wrong secret", wrong, fresh, false},
				{"new secret, before rotation", rotated.WebhookSecret, fresh, false},
				{"old secret in grace", created.WebhookSecret, after, true},
				{"new secret", rotated.WebhookSecret, after, true},
			}
			// The Go library.
			for _, tc := range cases {
				wh, err := standardwebhooks.NewWebhook(tc.secret)
				if err != nil {
					t.Fatal(err)
				}
				if err := wh.Verify(tc.d.Body, tc.d.Header); (err == nil) != tc.ok {
					t.Errorf("Go library, %s: verify error %v, want ok=%v", tc.name, err, tc.ok)
				}
			}
			// The stale delivery is rejected for its age alone.
			wh, _ := standardwebhooks.NewWebhook(created.WebhookSecret)
			if err := wh.VerifyIgnoringTimestamp(stale.Body, stale.Header); err != nil {
				t.Errorf("stale delivery's signature: %v", err)
			}

			// The npm library, run by Node.js.
			type jsCase struct {
				Name    string            `json:"name"`
				Secret  string            `json:"secret"`
				Headers map[string]string `json:"headers"`
				Body    string            `json:"body"`
			}
			var in []jsCase
			for _, tc := range cases {
				h := map[string]string{}
				for k := range tc.d.Header {
					h[strings.ToLower(k)] = tc.d.Header.Get(k)
				}
				in = append(in, jsCase{Name: tc.name, Secret: tc.secret, Headers: h, Body: string(tc.d.Body)})
			}
			file := filepath.Join(t.TempDir(), "cases.json")
			data, _ := json.Marshal(in)
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			out := npmtool.Run(t, jsDir, time.Minute, "node", "verify.mjs", file)
			var res []struct {
				Name  string `json:"name"`
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			}
			if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
				t.Fatalf("verify.mjs printed %s (%v)", out, err)
			}
			for i, tc := range cases {
				if res[i].Name != tc.name || res[i].OK != tc.ok {
					t.Errorf("npm standardwebhooks, %s: ok=%v (%s), want ok=%v", tc.name, res[i].OK, res[i].Error, tc.ok)
				}
			}
			if !strings.Contains(strings.ToLower(res[2].Error), "timestamp") {
				t.Errorf("npm library rejected the stale delivery for %q, not its timestamp", res[2].Error)
			}
		})
	}
}

// cliJSON runs a soisnode command line and decodes its --json output.
func cliJSON(t *testing.T, env map[string]string, v any, args ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), args, &cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }})
	if code != 0 {
		t.Fatalf("soisnode %v: exit %d: %s", args, code, errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		t.Fatalf("soisnode %v printed %s: %v", args, out.String(), err)
	}
}
