package oauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const resource = "https://node.example/mcp"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is a store with one workspace, its owner, a key and a client.
type fixture struct {
	st     *oauth.Store
	clk    *clock
	creds  testbed.Creds
	client oauth.Client
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more"

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	f := fixture{st: &oauth.Store{DB: db, Now: clk.Now}, clk: clk,
		creds: testbed.Workspace(t, db, workspace.Owner, access.KeyParams{Name: "assistant key", Scopes: []string{"contacts:read"}})}
	f.client = oauth.Client{ID: "client-" + f.creds.WorkspaceID, Name: "Test Assistant", RedirectURIs: []string{"https://client.example/cb"}, AuthMethod: "none", CreatedAt: clk.Now()}
	if err := f.st.SaveClient(context.Background(), f.client, ""); err != nil {
		t.Fatal(err)
	}
	return f
}

// code runs a consent for resource and returns its code.
func (f fixture) code(t *testing.T, res string) string {
	t.Helper()
	code, err := f.st.Authorize(context.Background(), oauth.Consent{WorkspaceID: f.creds.WorkspaceID, MemberID: f.creds.MemberID, KeyID: f.creds.KeyID,
		ClientID: f.client.ID, RedirectURI: f.client.RedirectURIs[0], Resource: res, CodeChallenge: challenge(verifier)})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (f fixture) exchange(t *testing.T, code string) oauth.Tokens {
	t.Helper()
	tok, err := f.st.Exchange(context.Background(), code, f.client.ID, f.client.RedirectURIs[0], verifier)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

func (f fixture) mustVerify(t *testing.T, access string) workspace.Caller {
	t.Helper()
	c, err := f.st.Verify(context.Background(), access, resource)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return c
}

func (f fixture) refused(t *testing.T, access, why string) {
	t.Helper()
	if _, err := f.st.Verify(context.Background(), access, resource); !errs.Is(err, errs.Unauthorized) {
		t.Fatalf("%s: verify = %v, want Unauthorized", why, err)
	}
}

// TestStoreHappyPath: a code becomes tokens acting as the member through
// the key; refresh rotates; the grant is listed with its key.
func TestStoreHappyPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if gs, _ := f.st.ListGrants(ctx, f.creds.WorkspaceID); len(gs) != 0 {
			t.Fatalf("a grant before its code is exchanged is listed: %+v", gs)
		}
		tok := f.exchange(t, f.code(t, resource))
		if !oauth.IsAccessToken(tok.Access) || tok.Refresh == "" || tok.ExpiresIn != oauth.AccessTTL {
			t.Fatalf("tokens: %+v", tok)
		}
		c := f.mustVerify(t, tok.Access)
		if c.WorkspaceID != f.creds.WorkspaceID || c.MemberID != f.creds.MemberID || c.KeyID != f.creds.KeyID ||
			c.Role != workspace.Owner || strings.Join(c.Scopes, ",") != "contacts:read" {
			t.Fatalf("caller: %+v", c)
		}
		gs, err := f.st.ListGrants(ctx, f.creds.WorkspaceID)
		if err != nil || len(gs) != 1 {
			t.Fatalf("grants: %+v %v", gs, err)
		}
		g := gs[0]
		if g.ClientName != "Test Assistant" || g.KeyID != f.creds.KeyID || g.KeyName != "assistant key" || g.LastUsedAt == nil ||
			strings.Join(g.Scopes, ",") != "contacts:read" || !g.CreatedAt.Equal(f.clk.Now()) {
			t.Fatalf("grant: %+v", g)
		}

		f.clk.Add(10 * time.Minute)
		next, err := f.st.Refresh(ctx, tok.Refresh, f.client.ID)
		if err != nil || next.Access == tok.Access || next.Refresh == tok.Refresh {
			t.Fatalf("refresh: %+v %v", next, err)
		}
		f.mustVerify(t, next.Access)

		// Expiry: an access token is good for AccessTTL.
		f.clk.Add(oauth.AccessTTL)
		f.refused(t, next.Access, "expired access token")
		if _, err := f.st.Refresh(ctx, next.Refresh, f.client.ID); err != nil {
			t.Fatalf("refresh after the access token expired: %v", err)
		}
	})
}

// TestStoreCodeUsedTwice: the second exchange is refused and revokes what
// the first one issued.
func TestStoreCodeUsedTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		code := f.code(t, resource)
		tok := f.exchange(t, code)
		f.mustVerify(t, tok.Access)
		if _, err := f.st.Exchange(ctx, code, f.client.ID, f.client.RedirectURIs[0], verifier); err == nil || !strings.Contains(err.Error(), "already used") {
			t.Fatalf("second exchange: %v", err)
		}
		f.refused(t, tok.Access, "access token of a code used twice")
		if _, err := f.st.Refresh(ctx, tok.Refresh, f.client.ID); err == nil {
			t.Fatal("refresh token of a code used twice still works")
		}
		if gs, _ := f.st.ListGrants(ctx, f.creds.WorkspaceID); len(gs) != 0 {
			t.Fatalf("revoked grant listed: %+v", gs)
		}
	})
}

// TestStoreBadExchange: a wrong verifier, redirect URI, client or an
// expired code is refused and leaves the code as it was.
func TestStoreBadExchange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		code := f.code(t, resource)
		for _, tt := range []struct {
			name, code, client, redirect, verifier, want string
		}{
			{"pkce mismatch", code, f.client.ID, f.client.RedirectURIs[0], verifier + "x", "code_verifier does not match"},
			{"redirect mismatch", code, f.client.ID, "https://client.example/other", verifier, "redirect_uri does not match"},
			{"another client", code, "someone-else", f.client.RedirectURIs[0], verifier, "another client"},
			{"unknown code", code + "x", f.client.ID, f.client.RedirectURIs[0], verifier, "invalid grant"},
		} {
			if _, err := f.st.Exchange(ctx, tt.code, tt.client, tt.redirect, tt.verifier); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
			}
		}
		// Nothing changed: the code still works, once.
		tok := f.exchange(t, code)
		f.mustVerify(t, tok.Access)

		late := f.code(t, resource)
		f.clk.Add(oauth.CodeTTL + time.Second)
		if _, err := f.st.Exchange(ctx, late, f.client.ID, f.client.RedirectURIs[0], verifier); err == nil || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired code: %v", err)
		}
	})
}

// TestStoreRefreshReuse: a spent refresh token presented again revokes
// the whole grant, the newest tokens included.
func TestStoreRefreshReuse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		first := f.exchange(t, f.code(t, resource))
		if _, err := f.st.Refresh(ctx, first.Refresh, "someone-else"); err == nil {
			t.Fatal("another client refreshed")
		}
		second, err := f.st.Refresh(ctx, first.Refresh, f.client.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.Refresh(ctx, first.Refresh, f.client.ID); err == nil || !strings.Contains(err.Error(), "already used") {
			t.Fatalf("reuse: %v", err)
		}
		f.refused(t, second.Access, "access token after refresh reuse")
		if _, err := f.st.Refresh(ctx, second.Refresh, f.client.ID); err == nil {
			t.Fatal("the newest refresh token survived a reuse")
		}
		if _, err := f.st.Refresh(ctx, second.Access, f.client.ID); err == nil {
			t.Fatal("an access token refreshed")
		}
	})
}

// TestStoreAudienceAndRevocation: tokens for another resource, of a
// revoked grant or key, or revoked one by one, are refused.
func TestStoreAudienceAndRevocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		other := f.exchange(t, f.code(t, "https://other.example/mcp"))
		f.refused(t, other.Access, "token for another resource")
		f.refused(t, "sois_tok_"+strings.Repeat("a", 52), "a member token")

		// RFC 7009: another client's revocation does nothing; the
		// client's own revokes that access token alone.
		tok := f.exchange(t, f.code(t, resource))
		if err := f.st.Revoke(ctx, tok.Access, "someone-else"); err != nil {
			t.Fatal(err)
		}
		f.mustVerify(t, tok.Access)
		if err := f.st.Revoke(ctx, tok.Access, f.client.ID); err != nil {
			t.Fatal(err)
		}
		f.refused(t, tok.Access, "revoked access token")
		again, err := f.st.Refresh(ctx, tok.Refresh, f.client.ID)
		if err != nil {
			t.Fatalf("refresh after revoking the access token: %v", err)
		}
		// Revoking a refresh token ends its grant.
		if err := f.st.Revoke(ctx, again.Refresh, f.client.ID); err != nil {
			t.Fatal(err)
		}
		f.refused(t, again.Access, "access token of a revoked refresh token")

		// The console revokes a grant by id, within its workspace only.
		tok = f.exchange(t, f.code(t, resource))
		gs, _ := f.st.ListGrants(ctx, f.creds.WorkspaceID)
		if len(gs) != 2 { // the other-resource grant and this one
			t.Fatalf("grants: %+v", gs)
		}
		stranger := testbed.Workspace(t, db, workspace.Owner, access.KeyParams{})
		if err := f.st.RevokeGrant(ctx, stranger.WorkspaceID, gs[0].ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("revoke from another workspace: %v", err)
		}
		if got, _ := f.st.ListGrants(ctx, stranger.WorkspaceID); len(got) != 0 {
			t.Fatalf("another workspace sees grants: %+v", got)
		}
		f.mustVerify(t, tok.Access)
		if err := f.st.RevokeGrant(ctx, f.creds.WorkspaceID, gs[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := f.st.RevokeGrant(ctx, f.creds.WorkspaceID, gs[0].ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		f.refused(t, tok.Access, "access token of a revoked grant")
		if _, err := f.st.Refresh(ctx, tok.Refresh, f.client.ID); err == nil {
			t.Fatal("refresh token of a revoked grant works")
		}

		// A revoked key takes its grants down with it.
		tok = f.exchange(t, f.code(t, resource))
		f.mustVerify(t, tok.Access)
		if err := access.RevokeKey(ctx, db, f.creds.WorkspaceID, f.creds.KeyID, f.clk.Now()); err != nil {
			t.Fatal(err)
		}
		f.refused(t, tok.Access, "access token of a revoked key")
		if _, err := f.st.Refresh(ctx, tok.Refresh, f.client.ID); err == nil {
			t.Fatal("refresh through a revoked key works")
		}
		if gs, _ := f.st.ListGrants(ctx, f.creds.WorkspaceID); len(gs) != 0 {
			t.Fatalf("grants on a revoked key listed: %+v", gs)
		}
	})
}
