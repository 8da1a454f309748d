package node

import (
	"context"
	"html/template"
	"net/http"

	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/oauth"
)

// consoleSessions is the console's sign-in as the OAuth consent page
// (oauth.Sessions) sees it: the member signed in to the browser, the
// console's sign-in page, its CSRF tokens and its page layout.
type consoleSessions struct{ c *console.Console }

var _ oauth.Sessions = consoleSessions{}

// Current returns the console member signed in on r.
func (s consoleSessions) Current(r *http.Request) (oauth.Member, bool) {
	m, ok := s.c.Current(r)
	return oauth.Member{WorkspaceID: m.WorkspaceID, MemberID: m.MemberID, Name: m.Name, Role: m.Role}, ok
}

// SignInURL is the console's sign-in page, coming back to next.
func (s consoleSessions) SignInURL(next string) string { return s.c.SignInURL(next) }

// CSRFToken is r's console session's form token.
func (s consoleSessions) CSRFToken(r *http.Request) string { return s.c.CSRFToken(r) }

// VerifyCSRF checks the consent form's oauth.CSRFField against r's session.
func (s consoleSessions) VerifyCSRF(r *http.Request) error {
	return s.c.CheckCSRF(r, r.PostFormValue(oauth.CSRFField))
}

// Render writes the consent page in the console's layout, allowing its
// form to end in a redirect to the assistant.
func (s consoleSessions) Render(w http.ResponseWriter, r *http.Request, title string, body template.HTML) {
	s.c.RenderConsent(w, r, title, body)
}

// consoleGrants lists and revokes the assistants connected through OAuth
// (console.Grants over the oauth store) for the console's Keys page.
type consoleGrants struct{ st *oauth.Store }

var _ console.Grants = consoleGrants{}

// ListGrants returns workspaceID's connected assistants.
func (g consoleGrants) ListGrants(ctx context.Context, workspaceID string) ([]console.Grant, error) {
	gs, err := g.st.ListGrants(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]console.Grant, 0, len(gs))
	for _, x := range gs {
		out = append(out, console.Grant{ID: x.ID, ClientName: x.ClientName, KeyID: x.KeyID, KeyName: x.KeyName,
			Scopes: x.Scopes, CreatedAt: x.CreatedAt, LastUsedAt: x.LastUsedAt})
	}
	return out, nil
}

// RevokeGrant disconnects one assistant of workspaceID.
func (g consoleGrants) RevokeGrant(ctx context.Context, workspaceID, grantID string) error {
	return g.st.RevokeGrant(ctx, workspaceID, grantID)
}
