package console

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/email"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// listFilter is the key and status filter of a list page.
type listFilter struct {
	Page        string // the page's path under /console, and its ids' prefix
	Keys        []access.Key
	Key, Status string
	Statuses    []string
	Err         string // the list's error, shown under the filter
}

type conversationsData struct {
	Filter        listFilter
	Conversations []conversation.Conversation
	Next          string
	Own           bool // a plain member: only their own conversations
}

var statuses = []string{"queued", "running", "completed", "input_required", "failed", "budget_exceeded", "canceled"}

func (c *Console) conversationsPage(w http.ResponseWriter, r *http.Request, m Member) {
	ctx := r.Context()
	q := r.URL.Query()
	d := conversationsData{Filter: listFilter{Page: "conversations", Key: q.Get("key"), Status: q.Get("status"), Statuses: statuses}, Own: !m.Manager()}
	keys, err := access.ListKeys(ctx, c.cfg.DB, m.WorkspaceID)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Conversations", c.userError(r, err))
		return
	}
	d.Filter.Keys = keys
	p := conversation.ListParams{WorkspaceID: m.WorkspaceID, KeyID: d.Filter.Key, Status: conversation.Status(d.Filter.Status), Cursor: q.Get("cursor"), Limit: 20}
	if d.Own {
		p.MemberID = m.MemberID
	}
	status := http.StatusOK
	page, err := conversation.List(ctx, c.cfg.DB, p)
	if err != nil {
		d.Filter.Err, status = c.userError(r, err), http.StatusUnprocessableEntity
	}
	d.Conversations, d.Next = page.Conversations, page.NextCursor
	c.page(w, r, status, "Conversations", "conversations", d)
}

// receiptView is a receipt with the console page of the record it names.
type receiptView struct {
	Tool, Summary, Ref, Link string
	OK                       bool
}

type turnView struct {
	conversation.Turn
	Receipts []receiptView
}

type conversationData struct {
	Conv     conversation.Conversation
	Key      string
	Turns    []turnView
	Verified *verify.Verified
	VerifyOK bool
	VerifyEr string
}

// recordLink is the console page of a receipt's ref, "" when the console
// has no page for that kind.
func recordLink(ref string) string {
	kind, id, ok := strings.Cut(ref, "/")
	if !ok || id == "" {
		return ""
	}
	switch kind {
	case "contact", "task", "file", "folder", "email":
		return Path + "/records/" + kind + "/" + id
	}
	return ""
}

func (c *Console) conversationPage(w http.ResponseWriter, r *http.Request, m Member) {
	ctx := r.Context()
	conv, err := conversation.Get(ctx, c.cfg.DB, m.WorkspaceID, r.PathValue("id"))
	if err == nil && !m.Manager() && conv.MemberID != m.MemberID {
		c.notFound(w, r) // a plain member sees only their own
		return
	}
	if err != nil {
		c.failRead(w, r, "Conversation", err)
		return
	}
	d := conversationData{Conv: conv}
	if k, err := access.GetKey(ctx, c.cfg.DB, m.WorkspaceID, conv.KeyID); err == nil {
		d.Key = keyLabel(k)
	}
	for _, t := range conv.Turns {
		tv := turnView{Turn: t}
		for _, a := range t.Actions {
			tv.Receipts = append(tv.Receipts, receiptView{Tool: a.Tool, Summary: a.Summary, Ref: a.Ref, Link: recordLink(a.Ref), OK: a.OK})
		}
		d.Turns = append(d.Turns, tv)
	}
	if conv.SignedReply != "" {
		d.Verified, d.VerifyEr = c.verifyReply(ctx, conv.SignedReply)
		d.VerifyOK = d.VerifyEr == ""
	}
	c.page(w, r, http.StatusOK, "Conversation", "conversation", d)
}

// verifyReply checks a signed reply against this node's published keys, as
// a caller would with /.well-known/jwks.json.
func (c *Console) verifyReply(ctx context.Context, token string) (*verify.Verified, string) {
	keys, err := c.cfg.AuditKeys(ctx)
	if err != nil {
		c.cfg.Log.Error("console: published keys", "err", err)
		return nil, "the node's published keys could not be read"
	}
	v, err := verify.Compact(ctx, keys, token, c.now())
	if err != nil {
		return nil, err.Error()
	}
	return v, ""
}

type recordData struct {
	Kind    string
	Contact *contacts.Contact
	Task    *tasks.Task
	File    *files.File
	Email   *email.Email
}

// recordPage shows the contact, task, file, folder or email a receipt
// names, in the member's workspace only.
func (c *Console) recordPage(w http.ResponseWriter, r *http.Request, m Member) {
	ctx := r.Context()
	d := recordData{Kind: r.PathValue("kind")}
	err := c.cfg.DB.InTx(ctx, func(tx store.Tx) error {
		switch d.Kind {
		case "contact":
			ct, err := contacts.Get(ctx, tx, m.WorkspaceID, r.PathValue("id"))
			d.Contact = &ct
			return err
		case "task":
			t, err := tasks.Get(ctx, tx, m.WorkspaceID, r.PathValue("id"))
			d.Task = &t
			return err
		case "file", "folder":
			caller := workspace.Caller{WorkspaceID: m.WorkspaceID, MemberID: m.MemberID, Role: workspace.Role(m.Role)}
			f, err := (&files.Service{}).Get(ctx, tx, caller, r.PathValue("id"))
			if err == nil && string(f.Kind) != d.Kind {
				return errNoKind // a folder's id under /file/, or the reverse
			}
			d.File = &f
			return err
		case "email":
			e, err := email.Get(ctx, tx, m.WorkspaceID, r.PathValue("id"))
			d.Email = &e
			return err
		}
		return errNoKind
	})
	if err != nil {
		if isNotFound(err) || errors.Is(err, errNoKind) {
			c.notFound(w, r)
			return
		}
		c.fail(w, r, http.StatusInternalServerError, "Record", c.userError(r, err))
		return
	}
	c.page(w, r, http.StatusOK, strings.ToUpper(d.Kind[:1])+d.Kind[1:], "record", d)
}

var errNoKind = errors.New("console: no page for this kind of record")
