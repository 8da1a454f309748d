package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/openapi/client"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/npmtool"
	"github.com/soisnode/soisnode/workspace"
)

// createContact is a request the built-in local agent carries out with a
// receipt (contacts_create).
const createContact = "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"

// liveNode starts a node with the built-in agent and returns it, a
// workspace's credentials and its served /openapi.yaml.
func liveNode(t *testing.T) (*testbed.Node, testbed.Creds, []byte) {
	t.Helper()
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	resp, err := http.Get(n.URL() + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /openapi.yaml: %d", resp.StatusCode)
	}
	return n, c, doc
}

// TestServedServers: the served document's servers name the node's public
// URL; the committed one keeps its placeholder.
func TestServedServers(t *testing.T) {
	n, _, doc := liveNode(t)
	if !bytes.Contains(doc, []byte("url: "+n.URL()+"\n")) {
		t.Fatalf("served servers do not name %s:\n%s", n.URL(), between(doc, "servers:", "tags:"))
	}
	if bytes.Contains(openapiYAML(t), []byte(n.URL())) {
		t.Fatal("the committed document names a test node")
	}
}

// TestGoClient: oapi-codegen v2.8.2 with its default settings, run on a
// live node's /openapi.yaml, produces exactly the committed client
// (openapi/client), which compiles as part of the module and drives the
// node: create a conversation, poll it, read its receipts.
func TestGoClient(t *testing.T) {
	n, c, doc := liveNode(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(spec, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	gen := npmtool.Run(t, ".", 10*time.Minute, "go", "tool", "oapi-codegen", "-generate", "types,client", "-package", "client", spec)
	committed, err := os.ReadFile(filepath.Join("client", "client.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gen, committed) {
		t.Fatalf("openapi/client/client.gen.go is stale: run `go generate ./openapi/client/` (generated %d bytes, committed %d)", len(gen), len(committed))
	}

	ctx := context.Background()
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+c.Token)
		r.Header.Set("X-Api-Key", c.APIKey)
		return nil
	}
	cl, err := client.NewClientWithResponses(n.URL(), client.WithRequestEditorFn(auth))
	if err != nil {
		t.Fatal(err)
	}
	created, err := cl.SendMessageWithResponse(ctx, nil, client.SendMessageJSONRequestBody{Message: createContact})
	if err != nil {
		t.Fatal(err)
	}
	if created.JSON202 == nil {
		t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
	}
	id := created.JSON202.ConversationId
	deadline := time.Now().Add(30 * time.Second)
	var conv *client.Conversation
	for {
		wait := int64(5) // long polling: the node answers when the turn stops running
		got, err := cl.GetConversationWithResponse(ctx, id, &client.GetConversationParams{Wait: &wait})
		if err != nil {
			t.Fatal(err)
		}
		if got.JSON200 == nil {
			t.Fatalf("poll: %d %s", got.StatusCode(), got.Body)
		}
		conv = got.JSON200
		if conv.Status != "queued" && conv.Status != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversation still %s", conv.Status)
		}
	}
	if conv.Status != "completed" || conv.Turns == nil || len(*conv.Turns) != 1 {
		t.Fatalf("conversation %+v", conv)
	}
	receipts := (*conv.Turns)[0].Actions
	if receipts == nil || len(*receipts) != 1 || (*receipts)[0].Tool != "contacts_create" || !(*receipts)[0].Ok ||
		(*receipts)[0].Ref == nil || !strings.HasPrefix(*(*receipts)[0].Ref, "contact/") {
		t.Fatalf("receipts %+v", receipts)
	}
}

// TestTypeScriptClient: openapi-typescript 7.13.0 types a client from a
// live node's /openapi.yaml; TypeScript compiles it with strict checks, and
// Node.js runs it with openapi-fetch against the node.
func TestTypeScriptClient(t *testing.T) {
	n, c, doc := liveNode(t)
	js := jsDir(t)
	genDir := filepath.Join(js, "gen")
	if err := os.RemoveAll(genDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(genDir, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	npmtool.Run(t, js, 2*time.Minute, "node", "node_modules/openapi-typescript/bin/cli.js", spec, "-o", filepath.Join(genDir, "schema.d.ts"))
	npmtool.Run(t, js, 5*time.Minute, "node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.json")
	out := runWithEnv(t, js, []string{"BASE_URL=" + n.URL(), "SOIS_TOKEN=" + c.Token, "SOIS_API_KEY=" + c.APIKey, "MESSAGE=" + createContact},
		"node", filepath.Join("gen", "out", "client.js"))
	var res struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Receipts []struct {
			Tool string `json:"tool"`
			OK   bool   `json:"ok"`
			Ref  string `json:"ref"`
		} `json:"receipts"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("client printed %s: %v", out, err)
	}
	if res.Status != "completed" || len(res.Receipts) != 1 || res.Receipts[0].Tool != "contacts_create" || !res.Receipts[0].OK ||
		!strings.HasPrefix(res.Receipts[0].Ref, "contact/") {
		t.Fatalf("TypeScript client saw %s", out)
	}
	// The node agrees: the conversation it read is the one the node holds.
	r := n.Do("GET", "/api/agent/conversations/"+res.ID, c, nil)
	if r.Status != 200 || !bytes.Contains(r.Body, []byte(res.Receipts[0].Ref)) {
		t.Fatalf("node's copy: %d %s", r.Status, r.Body)
	}
}

// jsDir installs and returns the pinned npm tools' folder.
func jsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "js"))
	if err != nil {
		t.Fatal(err)
	}
	npmtool.Install(t, dir)
	return dir
}

func runWithEnv(t *testing.T, dir string, env []string, name string, args ...string) []byte {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return npmtool.Run(t, dir, 2*time.Minute, name, args...)
}

func openapiYAML(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func between(b []byte, from, to string) string {
	s := string(b)
	if i := strings.Index(s, from); i >= 0 {
		s = s[i:]
	}
	if i := strings.Index(s, to); i >= 0 {
		s = s[:i]
	}
	return s
}
