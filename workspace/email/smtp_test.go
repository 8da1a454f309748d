package email

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relay is a real SMTP server on 127.0.0.1 that keeps what it receives.
type relay struct {
	port int
	user string // when set, AUTH PLAIN with user/pass is required
	pass string

	mu   sync.Mutex
	msgs []received
	// hold, when set, is waited on in DATA before the message is accepted:
	// tests use it to do other work while a delivery is in progress.
	hold chan struct{}
	// inData is told when a session reaches DATA.
	inData chan struct{}
}

// received is one delivered message.
type received struct {
	From string
	To   []string
	Data []byte
}

func startRelay(t *testing.T, user, pass string) *relay {
	t.Helper()
	r := &relay{user: user, pass: pass}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{r: r}, nil }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return r
}

// messages returns what the relay has received so far.
func (r *relay) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.msgs...)
}

// session is one SMTP conversation.
type session struct {
	r      *relay
	authed bool
	msg    received
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string {
	if s.r.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.r.user || pass != s.r.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.msg = received{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == "bounce@example.com" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	if s.r.inData != nil {
		s.r.inData <- struct{}{}
	}
	if s.r.hold != nil {
		<-s.r.hold
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	if len(s.msg.To) == 0 {
		return errors.New("no recipients")
	}
	s.msg.Data = b.Bytes()
	s.r.mu.Lock()
	s.r.msgs = append(s.r.msgs, s.msg)
	s.r.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.msg = received{} }
func (s *session) Logout() error { return nil }
