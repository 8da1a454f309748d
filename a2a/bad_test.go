package a2a_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestBadInput sends what a broken or hostile client would, on the wire:
// each gets the binding's error shape with a clear message, and nothing
// is stored.
func TestBadInput(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), WebhookAllowHosts: []string{"127.0.0.1"}})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	wrong := c
	wrong.APIKey = "sois_wrong"
	msg := func(text string, extra string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[` + text + `]}` + extra + `}}`
	}
	ok := msg(`{"text":"hello"}`, "")
	for _, tt := range []struct {
		name   string
		creds  testbed.Creds
		body   string
		status int
		code   int
		want   string
	}{
		{"no credentials", testbed.Creds{}, ok, 401, -31401, "credentials"},
		{"wrong key", wrong, ok, 401, -31401, "credentials"},
		{"malformed JSON", c, `{"jsonrpc":"2.0","id":1,"method":`, 200, -32700, ""},
		{"not JSON-RPC 2.0", c, `{"jsonrpc":"1.0","id":1,"method":"GetTask","params":{"id":"x"}}`, 200, -32600, ""},
		{"unknown method", c, `{"jsonrpc":"2.0","id":1,"method":"tasks/explode","params":{}}`, 200, -32601, ""},
		{"oversized", c, msg(`{"text":"`+strings.Repeat("a", 70<<10)+`"}`, ""), 413, -32600, "larger than"},
		{"file part", c, msg(`{"url":"https://example.com/x.pdf","mediaType":"application/pdf"}`, ""), 200, -32005, "only text parts"},
		{"empty text", c, msg(`{"text":"   "}`, ""), 200, -32602, "non-empty"},
		{"agent role", c, strings.Replace(ok, "ROLE_USER", "ROLE_AGENT", 1), 200, -32602, "ROLE_USER"},
		{"push to a private address", c, msg(`{"text":"hello"}`, `,"configuration":{"taskPushNotificationConfig":{"url":"https://10.1.2.3/hook"}}`), 200, -32602, "private"},
		{"push over http", c, msg(`{"text":"hello"}`, `,"configuration":{"taskPushNotificationConfig":{"url":"http://receiver.example.com/hook"}}`), 200, -32602, "https"},
		{"unknown task", c, `{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"nope"}}`, 200, -32001, "no task"},
		{"list with pageSize 0", c, `{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"pageSize":0}}`, 200, -32602, "pageSize"},
		{"list with pageSize over 100", c, `{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"pageSize":101}}`, 200, -32602, "pageSize"},
		{"list with a bad timestamp", c, `{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"statusTimestampAfter":"yesterday"}}`, 200, -32602, "RFC 3339"},
		{"list with a negative historyLength", c, `{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"historyLength":-1}}`, 200, -32602, "historyLength"},
		{"streaming another key's or an unknown task", c, `{"jsonrpc":"2.0","id":1,"method":"SubscribeToTask","params":{"id":"nope"}}`, 200, 0, "no task"},
		{"streaming a file part", c, strings.Replace(msg(`{"url":"https://example.com/x.pdf","mediaType":"application/pdf"}`, ""), "SendMessage", "SendStreamingMessage", 1), 200, 0, "only text parts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", n.URL()+"/a2a", bytes.NewReader([]byte(tt.body)))
			req.Header.Set("Content-Type", "application/json")
			if tt.creds.Token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.creds.Token)
				req.Header.Set("X-Api-Key", tt.creds.APIKey)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, buf.String())
			}
			if tt.status == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("a 401 without WWW-Authenticate")
			}
			if tt.code == 0 { // streaming answers over SSE
				if !strings.Contains(buf.String(), tt.want) {
					t.Fatalf("body %s, want %q", buf.String(), tt.want)
				}
				return
			}
			var out struct {
				JSONRPC string `json:"jsonrpc"`
				Error   *struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(buf.Bytes(), &out); err != nil || out.JSONRPC != "2.0" || out.Error == nil {
				t.Fatalf("not a JSON-RPC error: %s", buf.String())
			}
			if out.Error.Code != tt.code || !strings.Contains(out.Error.Message, tt.want) {
				t.Fatalf("error %d %q, want %d mentioning %q", out.Error.Code, out.Error.Message, tt.code, tt.want)
			}
		})
	}
	for _, table := range []string{"a2a_tasks", "a2a_messages", "a2a_push_configs", "conversations"} {
		var count int
		if err := n.DB().QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&count); err != nil || count != 0 {
			t.Errorf("%s holds %d rows after bad input (%v)", table, count, err)
		}
	}
	// The HTTP+JSON binding answers with its own shape: 401 for bad credentials.
	r := n.Do("GET", "/a2a/tasks/x", wrong, nil)
	if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "credentials") {
		t.Fatalf("REST with a wrong key: %d %s", r.Status, r.Body)
	}
	r = n.Do("GET", "/a2a/tasks/x", c, nil)
	if r.Status != http.StatusNotFound {
		t.Fatalf("REST unknown task: %d %s", r.Status, r.Body)
	}
}
