package cli_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store/storetest"
)

func signingKeys(t *testing.T, sh *shell) []cli.SigningKeyView {
	t.Helper()
	var keys []cli.SigningKeyView
	if err := json.Unmarshal([]byte(sh.ok("signing", "list", "--json")), &keys); err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestSigningRotateAndList(t *testing.T) {
	url := storetest.SQLiteURL(t)
	sh := newShell(t, url)
	if out := sh.ok("signing", "list"); !strings.Contains(out, "No signing keys yet") {
		t.Fatalf("empty list: %q", out)
	}
	if keys := signingKeys(t, sh); len(keys) != 0 {
		t.Fatalf("keys %+v", keys)
	}

	out := sh.ok("signing", "rotate")
	keys := signingKeys(t, sh)
	if len(keys) != 2 || keys[0].State != "active" || keys[1].State != "grace" || !strings.Contains(out, keys[0].KID) || !strings.Contains(out, keys[1].KID) {
		t.Fatalf("after rotate: %q, keys %+v", out, keys)
	}
	if keys[0].RetireAt != nil || keys[1].RetireAt == nil || keys[1].ExpiresAt.Sub(*keys[1].RetireAt) != 168*time.Hour {
		t.Fatalf("grace of the previous key: %+v", keys[1])
	}
	first := keys[1].KID

	// --grace 0 drops the previous key from the JWKS at once.
	sh.ok("signing", "rotate", "--grace", "0")
	keys = signingKeys(t, sh)
	if len(keys) != 3 || keys[0].State != "active" {
		t.Fatalf("keys %+v", keys)
	}
	states := map[string]string{}
	for _, k := range keys {
		states[k.KID] = k.State
	}
	if states[first] != "grace" || strings.Count(sh.ok("signing", "list"), "expired") != 1 {
		t.Fatalf("states %v", states)
	}

	// What the node publishes: the new key and the one still in grace.
	db := openStore(t, url)
	kek, err := signing.LoadKEK("", sh.env["SOIS_DATA_DIR"])
	if err != nil {
		t.Fatal(err)
	}
	ring, err := signing.New(db, kek, signing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ring.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set, err := verify.ParseJWKS(doc)
	if err != nil {
		t.Fatal(err)
	}
	if ks := set.Keys(); len(ks) != 2 || ks[0].ID != keys[0].KID || ks[1].ID != first {
		t.Fatalf("JWKS %s", doc)
	}

	sh.fails(2, "--grace", "signing", "rotate", "--grace", "-1h")
	sh.fails(2, "unknown signing command", "signing", "burn")
	sh.fails(2, "signing rotate", "signing")
}

// TestSigningRotateNeedsTheNodesKEK: rotating with a key-encryption key
// other than the node's is refused before anything is written.
func TestSigningRotateNeedsTheNodesKEK(t *testing.T) {
	url := storetest.SQLiteURL(t)
	sh := newShell(t, url)
	sh.ok("signing", "rotate")
	before := signingKeys(t, sh)

	elsewhere := t.TempDir()
	sh.env["SOIS_DATA_DIR"] = elsewhere
	sh.fails(1, "no key-encryption key", "signing", "rotate")
	if _, err := os.Stat(filepath.Join(elsewhere, signing.KEKFile)); !os.IsNotExist(err) {
		t.Fatalf("a stray key file was created: %v", err)
	}

	wrong := make([]byte, 32)
	rand.Read(wrong)
	sh.env["SOIS_MASTER_KEY"] = base64.StdEncoding.EncodeToString(wrong)
	sh.fails(1, "cannot be decrypted", "signing", "rotate")
	sh.env["SOIS_MASTER_KEY"] = "not base64!"
	sh.fails(1, "SOIS_MASTER_KEY", "signing", "rotate")

	if after := signingKeys(t, sh); len(after) != len(before) {
		t.Fatalf("keys changed: %+v", after)
	}
}
