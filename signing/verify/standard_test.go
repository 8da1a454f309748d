package verify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/signing/verify"
)

// Every v1a entry costs an Ed25519 verification per key, so a header
// packed with thousands of entries (a 1 MiB header holds ~11 000) would
// make a receiver spend seconds of CPU per request. A header with more
// entries than a sender ever needs is refused before any verification;
// a few entries (rotation overlap) still work.
func TestStandardRefusesPackedSignatureHeaders(t *testing.T) {
	ctx := context.Background()
	k := keyring(t, func() time.Time { return t0 })
	std, err := k.SignStandard(ctx, "d1", t0, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	set, err := k.PublicKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bogus := "v1a," + base64.StdEncoding.EncodeToString(make([]byte, 64))
	ts := strconv.FormatInt(t0.Unix(), 10)

	few := strings.Join([]string{bogus, bogus, std}, " ")
	if _, err := verify.Standard(ctx, set, "d1", ts, few, []byte(body), 0, t0); err != nil {
		t.Fatalf("a header with a few entries: %v", err)
	}
	packed := strings.Repeat(bogus+" ", 5000) + std
	if _, err := verify.Standard(ctx, set, "d1", ts, packed, []byte(body), 0, t0); !errors.Is(err, verify.ErrMalformed) {
		t.Fatalf("a header packed with 5000 entries: %v, want ErrMalformed", err)
	}
}
