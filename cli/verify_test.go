package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
)

// signer is a keyring whose JWKS is written to a file, as a receiver
// would save the node's.
type signer struct {
	*signing.Keyring
	kid, jwks string
}

func newSigner(t *testing.T, now func() time.Time) signer {
	t.Helper()
	ctx := context.Background()
	k := signing.NewMemory(signing.Options{Now: now})
	if err := k.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	doc, err := k.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	kid, _ := k.ActiveKeyID(ctx)
	return signer{k, kid, path}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifyWebhookSignature(t *testing.T) {
	ctx := context.Background()
	sh := &shell{t: t, env: map[string]string{}}
	s := newSigner(t, nil)
	body := `{"event":"conversation.completed","delivery_id":"01JDELIVERY","conversation":{"id":"c1"}}`
	sig, err := s.SignWebhook(ctx, "01JDELIVERY", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	bodyFile := writeFile(t, body)

	out := sh.ok("verify", "--jwks", s.jwks, "--signature", sig, "--body", bodyFile)
	if !strings.HasPrefix(out, "valid: kid="+s.kid+" iat=") || !strings.HasSuffix(out, " delivery_id=01JDELIVERY\n") {
		t.Fatalf("verify printed %q", out)
	}
	iat := strings.Fields(out)[2]
	if at, err := time.Parse(time.RFC3339, strings.TrimPrefix(iat, "iat=")); err != nil || time.Since(at) > time.Minute {
		t.Errorf("iat %q", iat)
	}
	// The header as copied from a request dump, and the body from stdin.
	sh.stdin = body
	sh.ok("verify", "--jwks", s.jwks, "--signature", "Sois-Signature: "+sig, "--body", "-")

	// The JWKS from the node's URL.
	doc, _ := os.ReadFile(s.jwks)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(doc) }))
	defer srv.Close()
	sh.ok("verify", "--jwks", srv.URL+"/.well-known/jwks.json", "--signature", sig, "--body", bodyFile)

	old := newSigner(t, func() time.Time { return time.Now().Add(-10 * time.Minute) })
	oldSig, _ := old.SignWebhook(ctx, "01JDELIVERY", []byte(body))
	other := newSigner(t, nil)

	sh.fails(1, "invalid: signature does not match", "verify", "--jwks", s.jwks, "--signature", sig, "--body", writeFile(t, strings.Replace(body, "c1", "c2", 1)))
	sh.fails(1, "ends with a newline", "verify", "--jwks", s.jwks, "--signature", sig, "--body", writeFile(t, body+"\n"))
	sh.fails(1, "invalid: signature too old", "verify", "--jwks", old.jwks, "--signature", oldSig, "--body", bodyFile)
	sh.ok("verify", "--jwks", old.jwks, "--signature", oldSig, "--body", bodyFile, "--max-age", "15m")
	sh.fails(1, "invalid: unknown key id", "verify", "--jwks", other.jwks, "--signature", sig, "--body", bodyFile)
	sh.fails(1, "invalid: malformed", "verify", "--jwks", s.jwks, "--signature", "not-a-jws", "--body", bodyFile)
	sh.fails(1, "cannot load the JWKS", "verify", "--jwks", filepath.Join(t.TempDir(), "missing.json"), "--signature", sig, "--body", bodyFile)
	sh.fails(1, "cannot read the body", "verify", "--jwks", s.jwks, "--signature", sig, "--body", filepath.Join(t.TempDir(), "missing"))
	sh.fails(2, "pass the request body with --body", "verify", "--jwks", s.jwks, "--signature", sig)
	sh.fails(2, "verify --jwks", "verify", "--signature", sig, "--body", bodyFile)
	sh.fails(2, "--max-age", "verify", "--jwks", s.jwks, "--signature", sig, "--body", bodyFile, "--max-age", "-1s")
}

func TestVerifySignedReply(t *testing.T) {
	ctx := context.Background()
	sh := &shell{t: t, env: map[string]string{}}
	s := newSigner(t, nil)
	token, err := s.SignReply(ctx, verify.Reply{Iss: "node_1", ConversationID: "c1", Turn: 2, Status: "completed", Reply: "Done.", CostUSD: "0.000412"})
	if err != nil {
		t.Fatal(err)
	}
	out := sh.ok("verify", "--jwks", s.jwks, "--signature", token)
	head, payload, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(head, "valid: kid="+s.kid+" iat=") || !strings.HasSuffix(head, " typ=sois-reply+jws") {
		t.Fatalf("first line %q", head)
	}
	var r verify.Reply
	if err := json.Unmarshal([]byte(payload), &r); err != nil || r.ConversationID != "c1" || r.Turn != 2 || r.Reply != "Done." || r.Iss != "node_1" {
		t.Fatalf("payload %q (%v)", payload, err)
	}
	// Signed replies are records: no age limit unless asked for.
	old := newSigner(t, func() time.Time { return time.Now().Add(-48 * time.Hour) })
	oldToken, _ := old.SignReply(ctx, verify.Reply{ConversationID: "c1"})
	sh.ok("verify", "--jwks", old.jwks, "--signature", oldToken)
	sh.fails(1, "too old", "verify", "--jwks", old.jwks, "--signature", oldToken, "--max-age", "24h")
	tampered := token[:len(token)-4] + "AAAA"
	sh.fails(1, "invalid: signature does not match", "verify", "--jwks", s.jwks, "--signature", tampered)
}
