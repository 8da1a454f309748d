package signing

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestKeyringDB runs the keyring on both databases, with two Keyrings on one
// database standing for two node processes.
func TestKeyringDB(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		kek := bytes.Repeat([]byte{1}, 32)
		a, err := New(db, kek, Options{Now: c.Now, CacheTTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := New(db, kek, Options{Now: c.Now, CacheTTL: time.Minute})
		if err := a.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		ka, _ := a.ActiveKeyID(ctx)
		kb, _ := b.ActiveKeyID(ctx)
		if ka != kb {
			t.Fatalf("two processes use %s and %s; Ensure must create only one key", ka, kb)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM signing_keys`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("signing_keys rows = %d, %v", n, err)
		}
		var sealed []byte
		_ = db.QueryRow(ctx, `SELECT private_enc FROM signing_keys`).Scan(&sealed)
		if len(sealed) < 40 {
			t.Fatalf("private_enc is %d bytes", len(sealed))
		}

		sig, _ := b.SignWebhook(ctx, "d1", []byte(body))
		newKid, err := a.Rotate(ctx, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := b.ActiveKeyID(ctx); got != ka {
			t.Fatal("b reloaded before its cache expired")
		}
		c.Add(time.Minute)
		if got, _ := b.ActiveKeyID(ctx); got != newKid {
			t.Fatalf("b did not pick up the rotation: active %s, want %s", got, newKid)
		}
		keys, _ := b.PublicKeys(ctx)
		if _, err := verify.Detached(ctx, keys, sig, []byte(body), 0, c.Now()); err != nil {
			t.Fatalf("old key during grace: %v", err)
		}

		wrong, _ := New(db, bytes.Repeat([]byte{2}, 32), Options{Now: c.Now})
		if err := wrong.Ensure(ctx); err == nil || !strings.Contains(err.Error(), "cannot be decrypted") {
			t.Fatalf("wrong KEK: err = %v", err)
		}
	})
}
