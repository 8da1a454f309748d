package email

import (
	"bytes"
	"mime"
	"net/mail"
	"testing"
	"time"

	"github.com/soisnode/soisnode/workspace/files"
)

// FuzzMessage: an email built from what a caller controls (recipient,
// subject, body, and an attachment's stored name, type and bytes) never
// panics the MIME writer, and the written message parses with exactly the
// headers the node set: nothing a caller sends can add a header or a
// recipient.
func FuzzMessage(f *testing.F) {
	f.Add("Jane Doe <jane@acme.example>", "Q3 report", "See attached.", "report.pdf", "application/pdf", []byte("%PDF-1.4"))
	f.Add("jane@acme.example", "Hi\r\nBcc: evil@x.example", "body", "a.txt", "text/plain; charset=utf-8", []byte("hello"))
	f.Add("\"Evil\r\nBcc: x@y\" <a@b.example>", "s", "b", "x\"; filename=\"y.exe", "text/plain", []byte{})
	f.Add("a@b.example", "=?utf-8?q?=0D=0ABcc:_x@y?=", ".\r\n.\r\nQUIT", "résumé.pdf", "application/octet-stream", []byte{0, 1, 2})
	f.Add("a@b.example", "s", "b", "name\u2028with\u0085breaks.txt", "text/plain; name=\"a\r\nBcc: x\"", []byte("x"))
	svc := New(Config{From: "soisnode <node@acme.example>"})
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, to, subject, body, name, contentType string, data []byte) {
		addr, err := parseAddress(to)
		if err != nil || checkHeader("subject", subject) != nil || files.ValidateName(name) != nil {
			return // refused before a message is built
		}
		mt, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			return
		}
		out := &outgoing{
			email: Email{ID: "em_1", Subject: subject, Body: body},
			to:    []*mail.Address{addr},
			files: []files.Attachment{{ID: "f1", Name: name, ContentType: mime.FormatMediaType(mt, params), Data: data}},
		}
		m, err := svc.message(out, now)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			return
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("the written message does not parse: %v\n%s", err, buf.String())
		}
		for _, h := range []string{"Bcc", "Cc", "Reply-To", "Sender"} {
			if v, ok := msg.Header[h]; ok {
				t.Fatalf("a caller added the header %s: %q", h, v)
			}
		}
		for _, h := range []string{"To", "From", "Subject", "Message-Id", "Date"} {
			if n := len(msg.Header[h]); n != 1 {
				t.Fatalf("header %s appears %d times", h, n)
			}
		}
		if got, err := msg.Header.AddressList("To"); err != nil || len(got) != 1 || got[0].Address != addr.Address {
			t.Fatalf("To = %v (%v), want only %s", got, err, addr.Address)
		}
	})
}
