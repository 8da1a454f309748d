package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestWebhookSecrets: init and keys create show the key's webhook secret
// once; rotate-secret makes a new one and keeps the old one for 24 h; an
// unknown key id is refused with nothing written; without the node's
// key-encryption key a key is still created, with a warning and no secret.
func TestWebhookSecrets(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			dataDir := t.TempDir()
			env := map[string]string{"SOIS_DATABASE_URL": url, "SOIS_DATA_DIR": dataDir}
			out, errOut, code := run(t, env, "init", "--json")
			var creds struct {
				WorkspaceID   string  `json:"workspace_id"`
				WebhookSecret *string `json:"webhook_secret"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &creds) != nil || creds.WebhookSecret == nil || !strings.HasPrefix(*creds.WebhookSecret, "whsec_") {
				t.Fatalf("init: %d %s %s", code, out, errOut)
			}
			env["SOIS_WORKSPACE"] = creds.WorkspaceID
			out, errOut, code = run(t, env, "keys", "create", "--name", "hooks", "--json")
			var k struct {
				ID            string  `json:"id"`
				WebhookSecret *string `json:"webhook_secret"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &k) != nil || k.WebhookSecret == nil || *k.WebhookSecret == *creds.WebhookSecret {
				t.Fatalf("keys create: %d %s %s", code, out, errOut)
			}
			if out, _, code = run(t, env, "keys", "create", "--name", "text"); code != 0 || !strings.Contains(out, "webhook secret:  whsec_") {
				t.Fatalf("keys create (text): %d %s", code, out)
			}

			rows := func() int {
				db, err := store.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				var n int
				if err := db.QueryRow(context.Background(), `SELECT count(*) FROM webhook_secrets`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := rows()
			_, errOut, code = run(t, env, "keys", "rotate-secret", "01NOSUCHKEY", "--json")
			if code == 0 || !strings.Contains(errOut, "no key") || rows() != before {
				t.Fatalf("rotate-secret of an unknown key: exit %d, %q, rows %d → %d", code, errOut, before, rows())
			}
			if _, errOut, code = run(t, env, "keys", "rotate-secret"); code != 2 {
				t.Fatalf("rotate-secret without an id: exit %d %s", code, errOut)
			}

			out, errOut, code = run(t, env, "keys", "rotate-secret", k.ID, "--json")
			var rot struct {
				ID                string     `json:"id"`
				WebhookSecret     string     `json:"webhook_secret"`
				PreviousExpiresAt *time.Time `json:"previous_expires_at"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &rot) != nil || rot.ID != k.ID || !strings.HasPrefix(rot.WebhookSecret, "whsec_") ||
				rot.WebhookSecret == *k.WebhookSecret || rot.PreviousExpiresAt == nil || time.Until(*rot.PreviousExpiresAt) < 23*time.Hour {
				t.Fatalf("rotate-secret: %d %s %s", code, out, errOut)
			}
			if rows() != before+1 {
				t.Fatalf("rotate-secret wrote %d rows, want 1", rows()-before)
			}

			// Another data folder, no SOIS_MASTER_KEY: the database already
			// holds keys sealed under the node's key, so no secret is made.
			env["SOIS_DATA_DIR"] = t.TempDir()
			out, errOut, code = run(t, env, "keys", "create", "--name", "elsewhere", "--json")
			var none struct {
				ID            string  `json:"id"`
				WebhookSecret *string `json:"webhook_secret"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &none) != nil || none.ID == "" || none.WebhookSecret != nil ||
				!strings.Contains(errOut, "rotate-secret") {
				t.Fatalf("keys create without the key-encryption key: %d %s %s", code, out, errOut)
			}
			if _, errOut, code = run(t, env, "keys", "rotate-secret", none.ID); code == 0 || !strings.Contains(errOut, "key-encryption key") {
				t.Fatalf("rotate-secret without the key-encryption key: %d %s", code, errOut)
			}
		})
	}
}
