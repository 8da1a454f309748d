package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

type memberForm struct {
	Name, Email, Role, Err, Field string
}

type memberRow struct {
	access.Member
	Tokens []access.Token
}

type membersData struct {
	Members []memberRow
	Roles   []string
	Form    memberForm
	// Shown once after an action: a new token or sign-in link.
	Secret, SecretKind, SecretFor string
	SecretUntil                   time.Time
	Err                           string // a row action's error
}

var roles = []string{"owner", "admin", "member", "viewer"}

func (c *Console) membersPage(w http.ResponseWriter, r *http.Request, m Member) {
	c.renderMembers(w, r, m, http.StatusOK, membersData{Form: memberForm{Role: "member"}})
}

func (c *Console) renderMembers(w http.ResponseWriter, r *http.Request, m Member, status int, d membersData) {
	ctx := r.Context()
	ms, err := access.ListMembers(ctx, c.cfg.DB, m.WorkspaceID)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Members", c.userError(r, err))
		return
	}
	toks, err := access.ListTokens(ctx, c.cfg.DB, m.WorkspaceID, "")
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Members", c.userError(r, err))
		return
	}
	byMember := map[string][]access.Token{}
	for _, t := range toks {
		byMember[t.MemberID] = append(byMember[t.MemberID], t)
	}
	for _, mm := range ms {
		d.Members = append(d.Members, memberRow{Member: mm, Tokens: byMember[mm.ID]})
	}
	d.Roles = roles
	c.page(w, r, status, "Members and tokens", "members", d)
}

func (c *Console) addMember(w http.ResponseWriter, r *http.Request, m Member) {
	f := memberForm{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role")}
	if f.Role == "owner" && m.Role != "owner" {
		f.Err, f.Field = "Only an owner can add another owner.", "role"
		c.renderMembers(w, r, m, http.StatusForbidden, membersData{Form: f})
		return
	}
	added, err := access.AddMember(r.Context(), c.cfg.DB, m.WorkspaceID, f.Name, f.Email, workspace.Role(f.Role), c.now())
	if err != nil {
		f.Err = c.userError(r, err)
		switch msg := strings.ToLower(f.Err); {
		case strings.Contains(msg, "email"):
			f.Field = "email"
		case strings.Contains(msg, "role"):
			f.Field = "role"
		default:
			f.Field = "name"
		}
		c.renderMembers(w, r, m, http.StatusUnprocessableEntity, membersData{Form: f})
		return
	}
	// An invitation is the new member's own one-time sign-in link.
	secret, until, err := CreateLink(r.Context(), c.cfg.DB, m.WorkspaceID, added.ID, c.now())
	if err != nil {
		c.renderMembers(w, r, m, http.StatusInternalServerError, membersData{Form: memberForm{Role: "member"}, Err: c.userError(r, err)})
		return
	}
	c.renderMembers(w, r, m, http.StatusCreated, membersData{Form: memberForm{Role: "member"}, Secret: c.linkURL(secret), SecretKind: "sign-in link", SecretFor: added.Name, SecretUntil: until})
}

func (c *Console) linkURL(secret string) string {
	return strings.TrimRight(c.cfg.BaseURL(), "/") + LinkPath(secret)
}

// workspaceMember is the member the path names, in m's workspace only.
func (c *Console) workspaceMember(w http.ResponseWriter, r *http.Request, m Member) (access.Member, bool) {
	return pathRecord(c, w, r, m, "Member", func(ctx context.Context, q store.Querier, ws, id string) (access.Member, error) {
		mm, err := access.GetMember(ctx, q, ws, id)
		if err == nil && mm.ID != id { // found by email, not by the path's id
			err = errs.E(errs.NotFound, "unknown member")
		}
		return mm, err
	})
}

func (c *Console) setRole(w http.ResponseWriter, r *http.Request, m Member) {
	target, ok := c.workspaceMember(w, r, m)
	if !ok {
		return
	}
	role := workspace.Role(r.PostFormValue("role"))
	// Only an owner makes or unmakes owners.
	if (role == workspace.Owner || target.Role == workspace.Owner) && m.Role != "owner" {
		c.renderMembers(w, r, m, http.StatusForbidden, membersData{Form: memberForm{Role: "member"}, Err: "Only an owner can make a member owner or change an owner's role. Nothing was changed."})
		return
	}
	err := c.cfg.DB.InTx(r.Context(), func(tx store.Tx) error {
		_, err := access.SetRole(r.Context(), tx, m.WorkspaceID, target.ID, role)
		return err
	})
	if err != nil {
		c.renderMembers(w, r, m, http.StatusUnprocessableEntity, membersData{Form: memberForm{Role: "member"}, Err: c.userError(r, err)})
		return
	}
	http.Redirect(w, r, Path+"/members", http.StatusSeeOther)
}

func (c *Console) createToken(w http.ResponseWriter, r *http.Request, m Member) {
	target, ok := c.workspaceMember(w, r, m)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	_, secret, err := access.CreateToken(r.Context(), c.cfg.DB, m.WorkspaceID, target.ID, name, c.now())
	if err != nil {
		c.renderMembers(w, r, m, http.StatusUnprocessableEntity, membersData{Form: memberForm{Role: "member"}, Err: c.userError(r, err)})
		return
	}
	c.renderMembers(w, r, m, http.StatusCreated, membersData{Form: memberForm{Role: "member"}, Secret: secret, SecretKind: "access token", SecretFor: target.Name})
}

func (c *Console) createMemberLink(w http.ResponseWriter, r *http.Request, m Member) {
	target, ok := c.workspaceMember(w, r, m)
	if !ok {
		return
	}
	secret, until, err := CreateLink(r.Context(), c.cfg.DB, m.WorkspaceID, target.ID, c.now())
	if err != nil {
		c.renderMembers(w, r, m, http.StatusInternalServerError, membersData{Form: memberForm{Role: "member"}, Err: c.userError(r, err)})
		return
	}
	c.renderMembers(w, r, m, http.StatusCreated, membersData{Form: memberForm{Role: "member"}, Secret: c.linkURL(secret), SecretKind: "sign-in link", SecretFor: target.Name, SecretUntil: until})
}

func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, m Member) {
	if err := access.RevokeToken(r.Context(), c.cfg.DB, m.WorkspaceID, r.PathValue("id"), c.now()); err != nil {
		if isNotFound(err) {
			c.notFound(w, r)
			return
		}
		c.renderMembers(w, r, m, http.StatusInternalServerError, membersData{Form: memberForm{Role: "member"}, Err: c.userError(r, err)})
		return
	}
	http.Redirect(w, r, Path+"/members", http.StatusSeeOther)
}
