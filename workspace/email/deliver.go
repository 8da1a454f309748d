package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// errNoSender means Config.From is missing or malformed.
var errNoSender = errors.New("no valid sender address configured")

// deliver sends out through the relay within the configured timeout and
// returns the Message-ID it used.
func (s *Service) deliver(ctx context.Context, out *outgoing, now time.Time) (string, error) {
	m, err := s.message(out, now)
	if err != nil {
		return "", err
	}
	msgID := m.GetMessageID()
	c, err := gomail.NewClient(s.cfg.Host, s.clientOptions()...)
	if err != nil {
		return msgID, fmt.Errorf("configure SMTP client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return msgID, c.DialAndSendWithContext(ctx, m)
}

// clientOptions maps Config onto go-mail's options.
func (s *Service) clientOptions() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		// Over TLS, auto-discovery picks the strongest mechanism the relay
		// offers. Without TLS it would refuse PLAIN, which is what a local
		// relay offers; go-mail still sends PLAIN in the clear only to
		// localhost.
		mech := gomail.SMTPAuthAutoDiscover
		if s.cfg.TLS == TLSNone {
			mech = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(mech),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// message builds the MIME message: plain-text body, files as attachments.
func (s *Service) message(out *outgoing, now time.Time) (*gomail.Msg, error) {
	e := out.email
	m := gomail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("%w: %w", errNoSender, err)
	}
	m.ToMailAddress(out.to...)
	if len(out.cc) > 0 {
		m.CcMailAddress(out.cc...)
	}
	if out.replyTo != nil {
		m.ReplyToMailAddress(out.replyTo)
	}
	m.Subject(e.Subject)
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(e.ID + "@" + domainOf(s.cfg.From))
	m.SetBodyString(gomail.TypeTextPlain, e.Body)
	for _, f := range out.files {
		m.AttachReadSeeker(f.Name, bytes.NewReader(f.Data), gomail.WithFileContentType(gomail.ContentType(f.ContentType)))
	}
	return m, nil
}

// domainOf is the domain of an address, for Message-IDs.
func domainOf(addr string) string {
	addr = strings.TrimSuffix(strings.TrimSpace(addr), ">")
	if i := strings.LastIndex(addr, "@"); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "soisnode.invalid"
}

// reason is the short, caller-safe account of a delivery failure stored
// in the status: what went wrong, with the relay's own words, never the
// credentials.
func (s *Service) reason(err error) string {
	what := "the SMTP relay did not accept the message"
	var ne net.Error
	var oe *net.OpError
	var se *gomail.SendError
	switch {
	case errors.Is(err, errNoSender):
		return "the relay settings have no valid sender address (SOIS_SMTP_FROM)"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		what = fmt.Sprintf("timed out after %s talking to the SMTP relay", s.cfg.Timeout)
	case errors.As(err, &oe) && oe.Op == "dial":
		what = "could not connect to the SMTP relay"
	case errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo:
		what = "the SMTP relay refused a recipient"
	case strings.Contains(err.Error(), "AUTH"):
		what = "the SMTP relay refused the login"
	case strings.Contains(err.Error(), "TLS"):
		what = "could not secure the connection to the SMTP relay"
	}
	detail := s.redact(err.Error())
	if len(detail) > 300 {
		detail = strings.ToValidUTF8(detail[:300], "") + "…"
	}
	return what + " (" + detail + ")"
}

// redact removes the password and line breaks from relay error text.
func (s *Service) redact(text string) string {
	if s.cfg.Password != "" {
		text = strings.ReplaceAll(text, s.cfg.Password, "[redacted]")
	}
	return strings.Join(strings.FieldsFunc(text, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' }), " ")
}
