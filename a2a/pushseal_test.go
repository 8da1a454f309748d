package a2a_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestPushSecretsSealed: a push config's token and credentials, and the
// headers of its queued deliveries, are stored sealed under the node's
// key-encryption key, never in plaintext; rows written in plaintext before
// migration 0023 are sealed (and their plaintext emptied) when a node
// starts. SQLite and PostgreSQL.
func TestPushSecretsSealed(t *testing.T) {
	for dialect, url := range storetest.URLs(t) {
		t.Run(dialect, func(t *testing.T) { testPushSealed(t, url) })
	}
}

func testPushSealed(t *testing.T, url string) {
	recv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer recv.Close()
	dir := t.TempDir()
	cfg := node.Config{DatabaseURL: url, DataDir: dir, WebhookAllowHosts: []string{"127.0.0.1"}}
	n := testbed.Start(t, cfg)
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	cl := client(t, n, c, spec.TransportProtocolJSONRPC)
	ctx := context.Background()
	req := request("Find all contacts from Acme Corp", "", "", false)
	req.Config.PushConfig = &spec.PushConfig{ID: "p1", URL: recv.URL + "/hook", Token: "tok-123",
		Auth: &spec.PushAuthInfo{Scheme: "Bearer", Credentials: "receiver-secret"}}
	res, err := cl.SendMessage(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	task := res.(*spec.Task)

	db := n.DB()
	var token, creds string
	var sealed []byte
	if err := db.QueryRow(ctx, `SELECT token, auth_credentials, secrets_enc FROM a2a_push_configs WHERE task_id = ?`, string(task.ID)).
		Scan(&token, &creds, &sealed); err != nil {
		t.Fatal(err)
	}
	if token != "" || creds != "" || len(sealed) == 0 || bytes.Contains(sealed, []byte("tok-123")) || bytes.Contains(sealed, []byte("receiver-secret")) {
		t.Fatalf("push config stored as token %q creds %q sealed %q", token, creds, sealed)
	}
	var headers string
	var headersSealed []byte
	if err := db.QueryRow(ctx, `SELECT headers, headers_enc FROM a2a_push_headers`).Scan(&headers, &headersSealed); err != nil {
		t.Fatal(err)
	}
	if headers != "" || len(headersSealed) == 0 || bytes.Contains(headersSealed, []byte("tok-123")) {
		t.Fatalf("push headers stored as %q, sealed %q", headers, headersSealed)
	}

	// Rows as a node before 0023 wrote them: sealed when a node starts.
	if _, err := db.Exec(ctx, `UPDATE a2a_push_configs SET token = 'legacy-tok', auth_credentials = 'legacy-cred', secrets_enc = NULL WHERE task_id = ?`, string(task.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO a2a_push_headers (delivery_id, headers) VALUES ('legacy-d', '{"A2a-Notification-Token":["legacy-tok"]}')`); err != nil {
		t.Fatal(err)
	}
	testbed.Start(t, cfg)
	if err := db.QueryRow(ctx, `SELECT token, auth_credentials, secrets_enc FROM a2a_push_configs WHERE task_id = ?`, string(task.ID)).
		Scan(&token, &creds, &sealed); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT headers, headers_enc FROM a2a_push_headers WHERE delivery_id = 'legacy-d'`).Scan(&headers, &headersSealed); err != nil {
		t.Fatal(err)
	}
	if token != "" || creds != "" || headers != "" {
		t.Fatalf("plaintext left after sealing: %q %q %q", token, creds, headers)
	}
	kek, err := signing.LoadKEK("", dir)
	if err != nil {
		t.Fatal(err)
	}
	box, err := signing.NewBox(kek)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := box.Open("a2apush:"+string(task.ID)+":p1", sealed)
	var got struct{ Token, Credentials string }
	if err != nil || json.Unmarshal(plain, &got) != nil || got.Token != "legacy-tok" || got.Credentials != "legacy-cred" {
		t.Fatalf("sealed legacy config %q %v", plain, err)
	}
	if plain, err := box.Open("a2apush-headers:legacy-d", headersSealed); err != nil || !bytes.Contains(plain, []byte("legacy-tok")) {
		t.Fatalf("sealed legacy headers %q %v", plain, err)
	}
	// Still read back masked, and usable.
	list, err := cl.ListTaskPushConfigs(ctx, &spec.ListTaskPushConfigRequest{TaskID: task.ID})
	if err != nil || len(list) != 1 || list[0].Token != "********" || list[0].Auth.Credentials != "********" {
		t.Fatalf("configs after sealing %+v %v", list, err)
	}
}
