package email

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

// sendArgs are email_send's arguments.
type sendArgs struct {
	To          []string `json:"to" schema:"required,minItems=1,itemMinLength=1" jsonschema:"Email addresses, contact ids or member ids."`
	Cc          []string `json:"cc" schema:"itemMinLength=1" jsonschema:"Email addresses, contact ids or member ids."`
	Subject     string   `json:"subject" schema:"required,minLength=1"`
	Body        string   `json:"body" schema:"required" jsonschema:"Plain text."`
	Attachments []string `json:"attachments" schema:"itemMinLength=1" jsonschema:"Ids of workspace files to attach."`
}

// outgoing is a validated message, ready to record and deliver.
type outgoing struct {
	email   Email
	to, cc  []*mail.Address
	replyTo *mail.Address // the sending member, when they have an address
	files   []files.Attachment
}

// send is email_send: validate and record (one short transaction),
// deliver (no transaction: an SMTP exchange may take seconds, and SQLite
// has one connection), record the outcome (another short transaction).
func (s *Service) send(ctx context.Context, env workspace.Env, a sendArgs) (workspace.Result, error) {
	var out *outgoing
	err := within(ctx, env, func(tx store.Tx) error {
		txEnv := env
		txEnv.Tx = tx
		var err error
		if out, err = s.prepare(ctx, txEnv, a); err != nil {
			return err
		}
		return insert(ctx, tx, env.Caller.WorkspaceID, &out.email)
	})
	if err != nil {
		return workspace.Result{}, err
	}
	e := &out.email
	ref := "email/" + e.ID
	if !s.Relay() {
		return result(*e, workspace.Receipt{Tool: "email_send", OK: false, Ref: ref,
			Summary: fmt.Sprintf("Email not sent: no SMTP relay configured; kept in the outbox (%s)", ref)}), nil
	}
	msgID, derr := s.deliver(ctx, out, env.Now)
	e.MessageID = msgID
	if derr != nil {
		reason := s.reason(derr)
		e.Status, e.Error = StatusFailedPrefix+reason, s.redact(derr.Error())
	} else {
		sentAt := env.Now.UTC().Truncate(time.Microsecond)
		e.Status, e.SentAt = StatusSent, &sentAt
	}
	if err := within(context.WithoutCancel(ctx), env, func(tx store.Tx) error { return finish(ctx, tx, env.Caller.WorkspaceID, *e) }); err != nil {
		return workspace.Result{}, err
	}
	if derr != nil {
		res := result(*e, workspace.Receipt{Tool: "email_send", OK: false, Ref: ref,
			Summary: fmt.Sprintf("Email not sent: %s; kept in the outbox (%s)", strings.TrimPrefix(e.Status, StatusFailedPrefix), ref)})
		// The status and error quote the relay's own words (reason):
		// data from outside the workspace, never instructions.
		res.Untrusted = true
		return res, nil
	}
	return result(*e, workspace.Receipt{Tool: "email_send", OK: true, Ref: ref,
		Summary: sentSummary(*e)}), nil
}

// within runs fn in the caller's transaction when there is one, else in a
// short transaction of its own.
func within(ctx context.Context, env workspace.Env, fn func(tx store.Tx) error) error {
	if env.Tx != nil {
		return fn(env.Tx)
	}
	return env.DB.InTx(ctx, fn)
}

// prepare checks the arguments and resolves recipients and attachments.
// Nothing is written, so a rejected email leaves no trace.
func (s *Service) prepare(ctx context.Context, env workspace.Env, a sendArgs) (*outgoing, error) {
	subject := strings.TrimSpace(a.Subject)
	if err := checkHeader("subject", a.Subject); err != nil {
		return nil, err
	}
	switch {
	case subject == "":
		return nil, errs.E(errs.Invalid, "a subject is required")
	case len(subject) > MaxSubjectLen:
		return nil, errs.E(errs.Invalid, "subject is longer than %d bytes", MaxSubjectLen)
	case len(a.Body) > MaxBodyLen:
		return nil, errs.E(errs.TooLarge, "body is larger than %d bytes", MaxBodyLen)
	case len(a.To) == 0:
		return nil, errs.E(errs.Invalid, "at least one recipient (to) is required")
	case len(a.To)+len(a.Cc) > MaxRecipients:
		return nil, errs.E(errs.Invalid, "at most %d recipients per email", MaxRecipients)
	case len(a.Attachments) > MaxAttachmentFiles:
		return nil, errs.E(errs.Invalid, "at most %d attachments per email", MaxAttachmentFiles)
	}
	ws := env.Caller.WorkspaceID
	// Check every entry for injection before any lookup.
	for _, r := range append(append([]string{}, a.To...), a.Cc...) {
		if err := checkHeader("recipient", r); err != nil {
			return nil, err
		}
	}
	to, err := resolve(ctx, env.Tx, ws, a.To)
	if err != nil {
		return nil, err
	}
	cc, err := resolve(ctx, env.Tx, ws, a.Cc)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	to, cc = dedupe(to, seen), dedupe(cc, seen)
	out := &outgoing{to: to, cc: cc}
	if len(a.Attachments) > 0 {
		// Mailing a file out reads it: a key without files:read may not.
		if !env.Caller.Allows(files.ScopeRead, workspace.Read) {
			return nil, errs.E(errs.Forbidden, "attaching files needs scope %s", files.ScopeRead)
		}
		out.files, err = files.AttachmentsFor(ctx, env.Tx, ws, a.Attachments)
		if err != nil {
			return nil, err
		}
	}
	var total int64
	atts := make([]Attachment, 0, len(out.files))
	for _, f := range out.files {
		total += int64(len(f.Data))
		atts = append(atts, Attachment{FileID: f.ID, Name: f.Name, Size: int64(len(f.Data))})
	}
	if total > s.cfg.MaxAttachmentBytes {
		return nil, errs.E(errs.TooLarge, "attachments total %d bytes, over the limit of %d", total, s.cfg.MaxAttachmentBytes)
	}
	out.replyTo = sender(ctx, env)
	out.email = Email{
		ID:             store.NewID(),
		SenderMemberID: env.Caller.MemberID,
		From:           s.cfg.From,
		To:             formatAll(to),
		Cc:             formatAll(cc),
		Subject:        subject,
		Body:           a.Body,
		Attachments:    atts,
		Status:         StatusNoRelay,
		CreatedAt:      env.Now.UTC().Truncate(time.Microsecond),
	}
	return out, nil
}

// sender is the calling member's address, for Reply-To, or nil.
func sender(ctx context.Context, env workspace.Env) *mail.Address {
	var name, addr string
	err := env.Tx.QueryRow(ctx, `SELECT name, email FROM members WHERE workspace_id = ? AND id = ?`,
		env.Caller.WorkspaceID, env.Caller.MemberID).Scan(&name, &addr)
	if err != nil || hasControl(name) {
		return nil
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || hasControl(addr) {
		return nil
	}
	if a.Name == "" {
		a.Name = strings.TrimSpace(name)
	}
	return a
}

// result is email_send's result for e.
func result(e Email, r workspace.Receipt) workspace.Result {
	return workspace.Result{
		Data: struct {
			Email Email  `json:"email"`
			Sent  bool   `json:"sent"`
			Note  string `json:"note"`
		}{e, e.Sent(), r.Summary},
		Actions: []workspace.Receipt{r},
	}
}

// sentSummary is the receipt of a delivered email, naming up to five
// recipients.
func sentSummary(e Email) string {
	all := append(append([]string{}, e.To...), e.Cc...)
	who := strings.Join(all, ", ")
	if len(all) > 5 {
		who = fmt.Sprintf("%s and %d more", strings.Join(all[:5], ", "), len(all)-5)
	}
	s := fmt.Sprintf("Email %q sent to %s", e.Subject, who)
	if n := len(e.Attachments); n > 0 {
		s += fmt.Sprintf(" with %d attachment(s)", n)
	}
	return s
}
