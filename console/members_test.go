package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestMemberForms: bad input is refused inline and adds nothing; a new
// member gets a one-time link that signs them in; the last owner cannot be
// demoted; tokens are created (shown once) and revoked.
func TestMemberForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.signedIn(e.a.owner)
		before := e.snapshot()
		for _, bad := range []url.Values{
			{"name": {"Eve"}, "email": {"not-an-email"}, "role": {"member"}},
			{"name": {""}, "email": {"eve@a.example"}, "role": {"member"}},
			{"name": {"Eve"}, "email": {"eve@a.example"}, "role": {"king"}},
			{"name": {"Dup"}, "email": {"member@a.example"}, "role": {"member"}},
		} {
			p := b.send("/console/members", bad)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="member-error"`) || !strings.Contains(p.body, `aria-describedby="member-error"`) {
				t.Errorf("%v: %d", bad, p.status)
			}
		}
		if p := b.send("/console/members/"+e.a.owner.ID+"/role", url.Values{"role": {"admin"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "only owner") {
			t.Fatalf("demoting the last owner: %d", p.status)
		}
		if after := e.snapshot(); after != before {
			t.Fatalf("refused member forms changed something:\n%s\n%s", before, after)
		}

		p := b.send("/console/members", url.Values{"name": {"Eve"}, "email": {"eve@a.example"}, "role": {"viewer"}})
		link := regexp.MustCompile(`/console/link\?t=([A-Za-z0-9_-]+)`).FindStringSubmatch(p.body)
		if p.status != http.StatusCreated || link == nil {
			t.Fatalf("add member: %d %s", p.status, p.body)
		}
		eve := e.browser()
		if r := eve.useLink(link[1]); r.status != http.StatusSeeOther {
			t.Fatalf("the invitation link: %d", r.status)
		}
		if r := eve.get("/console/conversations"); r.status != 200 || !strings.Contains(r.body, "Eve (viewer)") {
			t.Fatalf("Eve signed in: %d", r.status)
		}
		if r := eve.get("/console/members"); r.status != http.StatusForbidden {
			t.Fatalf("a viewer on the members page: %d", r.status)
		}

		p = b.send("/console/members/"+e.a.member.ID+"/tokens", url.Values{"name": {"phone"}})
		if p.status != http.StatusCreated || !regexp.MustCompile(`sois_tok_[a-z2-7]{52}`).MatchString(p.body) {
			t.Fatalf("create token: %d", p.status)
		}
		if p := b.send("/console/tokens/"+e.a.memberTokenID+"/revoke", nil); p.status != http.StatusSeeOther {
			t.Fatalf("revoke token: %d", p.status)
		}
		if n := e.count(`SELECT count(*) FROM access_tokens WHERE id = ? AND revoked_at <> 0`, e.a.memberTokenID); n != 1 {
			t.Fatal("token not revoked")
		}
		if p := b.send("/console/members/"+e.a.member.ID+"/role", url.Values{"role": {"admin"}}); p.status != http.StatusSeeOther {
			t.Fatalf("make admin: %d", p.status)
		}
		if n := e.count(`SELECT count(*) FROM members WHERE id = ? AND role = 'admin'`, e.a.member.ID); n != 1 {
			t.Fatal("role not changed")
		}
	})
}
