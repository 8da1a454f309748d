package verify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

const body = `{"event":"conversation.completed","delivery_id":"d1"}`

func keyring(t *testing.T, now func() time.Time) *signing.Keyring {
	t.Helper()
	k := signing.NewMemory(signing.Options{Now: now})
	if err := k.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return k
}

// delivery builds a request as the dispatcher sends it.
func delivery(t *testing.T, k *signing.Keyring, id string, at time.Time, b string) *http.Request {
	t.Helper()
	ctx := context.Background()
	sig, err := k.SignWebhook(ctx, id, []byte(b))
	if err != nil {
		t.Fatal(err)
	}
	std, err := k.SignStandard(ctx, id, at, []byte(b))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(b))
	r.Header.Set(verify.HeaderSignature, sig)
	r.Header.Set(verify.HeaderDeliveryID, id)
	r.Header.Set(verify.HeaderWebhookID, id)
	r.Header.Set(verify.HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
	r.Header.Set(verify.HeaderWebhookSignature, std)
	return r
}

func TestRequest(t *testing.T) {
	now := func() time.Time { return t0 }
	k := keyring(t, now)
	keys, _ := k.PublicKeys(context.Background())

	r := delivery(t, k, "d1", t0, body)
	got, id, err := verify.Request(r, keys, verify.RequestOptions{Now: now})
	if err != nil || id != "d1" || string(got) != body {
		t.Fatalf("Request = %q, %q, %v", got, id, err)
	}
	again, _ := io.ReadAll(r.Body)
	if string(again) != body {
		t.Fatal("r.Body not restored for the handler")
	}

	tests := []struct {
		name string
		edit func(r *http.Request)
		opts verify.RequestOptions
		want error
	}{
		{"standard only", func(r *http.Request) { r.Header.Del(verify.HeaderSignature) }, verify.RequestOptions{}, nil},
		{"standard only refused", func(r *http.Request) { r.Header.Del(verify.HeaderSignature) }, verify.RequestOptions{JWSOnly: true}, verify.ErrNoSignature},
		{"no headers", func(r *http.Request) {
			r.Header.Del(verify.HeaderSignature)
			r.Header.Del(verify.HeaderWebhookSignature)
		}, verify.RequestOptions{}, verify.ErrNoSignature},
		{"delivery id header swapped", func(r *http.Request) { r.Header.Set(verify.HeaderDeliveryID, "d2") }, verify.RequestOptions{}, verify.ErrMalformed},
		{"body too large", nil, verify.RequestOptions{MaxBody: 10}, verify.ErrTooLarge},
		{"tampered", func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(body + "\n")) }, verify.RequestOptions{}, verify.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := delivery(t, k, "d1", t0, body)
			if tt.edit != nil {
				tt.edit(r)
			}
			tt.opts.Now = now
			_, _, err := verify.Request(r, keys, tt.opts)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRequestReplay(t *testing.T) {
	clock := t0
	now := func() time.Time { return clock }
	k := keyring(t, now)
	keys, _ := k.PublicKeys(context.Background())
	opts := verify.RequestOptions{Now: now, Replay: &verify.MemoryReplay{Now: now}}

	first := delivery(t, k, "d1", t0, body)
	replay := first.Clone(context.Background())
	replay.Body = io.NopCloser(strings.NewReader(body))
	if _, _, err := verify.Request(first, keys, opts); err != nil {
		t.Fatal(err)
	}
	if _, _, err := verify.Request(replay, keys, opts); !errors.Is(err, verify.ErrReplayed) {
		t.Fatalf("replayed request: err = %v", err)
	}
	// The next attempt of the same delivery is signed afresh and passes.
	clock = clock.Add(5 * time.Second)
	if _, id, err := verify.Request(delivery(t, k, "d1", clock, body), keys, opts); err != nil || id != "d1" {
		t.Fatalf("retry of the delivery: %q, %v", id, err)
	}
}

func TestRemote(t *testing.T) {
	ctx := context.Background()
	clock := t0
	now := func() time.Time { return clock }
	k := keyring(t, now)
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		doc, _ := k.JWKS(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	defer srv.Close()
	remote := verify.NewRemote(srv.URL, verify.RemoteOptions{Client: srv.Client(), Now: now, TTL: time.Hour, Cooldown: time.Minute})

	sig, _ := k.SignWebhook(ctx, "d1", []byte(body))
	for range 3 {
		if _, err := verify.Detached(ctx, remote, sig, []byte(body), 0, now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1 (cached)", n)
	}

	// After a rotation the unknown kid triggers one refetch.
	if _, err := k.Rotate(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	sig2, _ := k.SignWebhook(ctx, "d2", []byte(body))
	clock = clock.Add(2 * time.Minute) // past the cooldown
	if _, err := verify.Detached(ctx, remote, sig2, []byte(body), 0, now()); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	// Unknown kids do not hammer the server within the cooldown.
	other := keyring(t, now)
	foreign, _ := other.SignWebhook(ctx, "d3", []byte(body))
	clock = clock.Add(2 * time.Minute)
	for range 5 {
		if _, err := verify.Detached(ctx, remote, foreign, []byte(body), 0, now()); !errors.Is(err, verify.ErrUnknownKey) {
			t.Fatalf("foreign key: %v", err)
		}
	}
	if n := fetches.Load(); n != 3 {
		t.Fatalf("%d fetches, want 3 (one refresh per cooldown)", n)
	}

	// The server going away does not break verification with the cached set.
	srv.Close()
	clock = clock.Add(2 * time.Hour)
	if _, err := verify.Detached(ctx, remote, sig2, []byte(body), 0, t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("stale set while the JWKS is unreachable: %v", err)
	}
}

func TestParseJWKSSkipsForeignKeys(t *testing.T) {
	doc := `{"keys":[
	 {"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
	 {"kty":"OKP","crv":"Ed25519","kid":"enc","use":"enc","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
	 {"kty":"OKP","crv":"Ed25519","kid":"ok","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
	 {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`
	set, err := verify.ParseJWKS([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if keys := set.Keys(); len(keys) != 1 || keys[0].ID != "ok" {
		t.Fatalf("keys = %+v, want only kid ok", keys)
	}
	if _, err := verify.ParseJWKS([]byte(`{`)); err == nil {
		t.Fatal("broken JSON accepted")
	}
}
