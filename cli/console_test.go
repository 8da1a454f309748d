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

// TestConsoleLink: `soisnode console` prints a link for the first owner
// (or --member) under SOIS_PUBLIC_URL, valid for ten minutes and stored
// only as a hash; an unknown member is refused with nothing stored.
func TestConsoleLink(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	sh := newShell(t, dbURL)
	sh.env["SOIS_PUBLIC_URL"] = "https://node.example/"
	var creds struct {
		WorkspaceID string `json:"workspace_id"`
	}
	if err := json.Unmarshal([]byte(sh.ok("init", "--json")), &creds); err != nil {
		t.Fatal(err)
	}
	out := sh.ok("console")
	if !strings.Contains(out, "https://node.example/console/link?t=") || !strings.Contains(out, "10m0s") {
		t.Fatalf("soisnode console: %s", out)
	}
	var link struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
		MemberID  string    `json:"member_id"`
	}
	if err := json.Unmarshal([]byte(sh.ok("console", "--json", "--member", "owner@example.com")), &link); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(link.ExpiresAt); d < 9*time.Minute || d > 10*time.Minute {
		t.Fatalf("expires in %v", d)
	}
	sh.fails(1, "no member", "console", "--member", "nobody@example.com")
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secret := link.URL[strings.Index(link.URL, "?t=")+3:]
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM console_links WHERE hash = ? OR member_id = ''`, secret).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the secret is stored as is (%d, %v)", n, err)
	}
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM console_links`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("links stored: %d %v", n, err)
	}
}
