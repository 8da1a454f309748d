// Package email is the workspace's outgoing mail: the email_send and
// email_search tools and the outbox table behind them. Mail is delivered
// over real SMTP (github.com/wneessen/go-mail) during the tool call; with no
// relay configured, or when delivery fails, the message is still recorded
// and the receipt says plainly that it was not sent.
package email

import (
	"strings"
	"time"

	"github.com/soisnode/soisnode/workspace"
)

// Scopes the email tools need.
const (
	ScopeSend = "email:send"
	ScopeRead = "email:read"
)

// Statuses of a recorded email. A failure is StatusFailedPrefix followed by
// the reason.
const (
	StatusSent         = "sent"
	StatusNoRelay      = "not_sent: no SMTP relay configured"
	StatusFailedPrefix = "failed: "
)

// Limits on one email.
const (
	MaxRecipients      = 100     // to and cc together
	MaxAttachmentFiles = 20      // files per email
	MaxSubjectLen      = 998     // bytes, the RFC 5322 line limit
	MaxBodyLen         = 1 << 20 // bytes
)

// Email is one message in the outbox, sent or not.
type Email struct {
	ID             string       `json:"id"`
	SenderMemberID string       `json:"sender_member_id"`
	From           string       `json:"from"`
	To             []string     `json:"to"`
	Cc             []string     `json:"cc"`
	Subject        string       `json:"subject"`
	Body           string       `json:"body"`
	Attachments    []Attachment `json:"attachments"`
	Status         string       `json:"status"`
	Error          string       `json:"error,omitempty"`
	MessageID      string       `json:"message_id,omitempty"`
	CreatedAt      time.Time    `json:"created_at"`
	SentAt         *time.Time   `json:"sent_at,omitempty"`
}

// Attachment records a file sent with an email.
type Attachment struct {
	FileID string `json:"file_id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
}

// Sent reports whether e went out.
func (e Email) Sent() bool { return e.Status == StatusSent }

// statusFilter turns an email_search status (sent, not_sent, failed) into
// a LIKE pattern on the stored status.
func statusFilter(s string) string {
	switch s {
	case "sent":
		return StatusSent
	case "not_sent":
		return "not\\_sent:%"
	case "failed":
		return strings.TrimSpace(StatusFailedPrefix) + "%"
	}
	return ""
}

// Service sends and finds workspace email.
type Service struct {
	cfg Config
}

// New returns a Service delivering through cfg's relay (defaults filled in).
func New(cfg Config) *Service {
	return &Service{cfg: cfg.withDefaults()}
}

// Relay reports whether a relay is configured.
func (s *Service) Relay() bool { return s.cfg.Host != "" }

// Tools returns email_send and email_search (docs/tools.md).
func (s *Service) Tools() []workspace.Tool {
	return []workspace.Tool{
		workspace.Define(workspace.Spec[sendArgs]{
			Name:        "email_send",
			Description: "Send an email. to and cc take email addresses, or ids of contacts or members; attachments are file ids.",
			Scope:       ScopeSend, Effect: workspace.Write, OpenWorld: true, Run: s.send,
		}),
		workspace.Define(workspace.Spec[searchArgs]{
			Name:        "email_search",
			Description: "Find emails sent from this workspace, including unsent and failed ones.",
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.search,
		}),
	}
}
