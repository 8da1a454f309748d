package email

import (
	"bytes"
	"encoding/json"
	"mime"
	"net"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestSendWithAttachment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := startRelay(t, "", "")
		e := newEnv(t, db, New(relayConfig(r)))
		res := e.call(e.a, "email_send", map[string]any{
			"to":          []string{"con_jane", "Ops Team <ops@acme.example>"},
			"cc":          []string{"mem_ann", "JANE@acme.example"}, // Jane twice: sent once
			"subject":     "Q1 numbers – final",
			"body":        "Hi Jane,\n\nthe Q1 report is attached.\n",
			"attachments": []string{e.report.ID},
		})
		d := decode[sendData](t, res)
		if !d.Sent || d.Email.Status != "sent" || d.Email.SentAt == "" || d.Email.MessageID == "" {
			t.Fatalf("data = %+v", d)
		}
		if len(res.Actions) != 1 || !res.Actions[0].OK || res.Actions[0].Ref != "email/"+d.Email.ID || res.Actions[0].Tool != "email_send" {
			t.Fatalf("receipt = %+v", res.Actions)
		}
		if want := []string{"Jane Doe <jane@acme.example>", "Ops Team <ops@acme.example>"}; !slices.Equal(d.Email.To, want) {
			t.Fatalf("to = %q, want %q", d.Email.To, want)
		}
		if want := []string{"Ann Owner <ann@a.example>"}; !slices.Equal(d.Email.Cc, want) {
			t.Fatalf("cc = %q, want %q", d.Email.Cc, want)
		}
		if len(d.Email.Attachments) != 1 || d.Email.Attachments[0] != (Attachment{FileID: e.report.ID, Name: "Q1 report.csv", Size: e.report.Size}) {
			t.Fatalf("attachments = %+v", d.Email.Attachments)
		}

		msgs := r.messages()
		if len(msgs) != 1 {
			t.Fatalf("relay got %d messages", len(msgs))
		}
		got := msgs[0]
		if got.From != "agent@acme.example" {
			t.Errorf("MAIL FROM = %q", got.From)
		}
		rcpts := slices.Sorted(slices.Values(got.To))
		if want := []string{"ann@a.example", "jane@acme.example", "ops@acme.example"}; !slices.Equal(rcpts, want) {
			t.Fatalf("RCPT TO = %q, want %q", rcpts, want)
		}
		m, err := mail.ReadMessage(bytes.NewReader(got.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil || subject != "Q1 numbers – final" {
			t.Fatalf("Subject = %q (%v)", subject, err)
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 2 || to[0].Address != "jane@acme.example" || to[1].Address != "ops@acme.example" {
			t.Fatalf("To = %v (%v)", to, err)
		}
		if cc, err := m.Header.AddressList("Cc"); err != nil || len(cc) != 1 || cc[0].Address != "ann@a.example" {
			t.Fatalf("Cc = %v (%v)", cc, err)
		}
		if rt, err := m.Header.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Address != "ann@a.example" {
			t.Fatalf("Reply-To = %v (%v)", rt, err)
		}
		if from, err := m.Header.AddressList("From"); err != nil || from[0].Address != "agent@acme.example" {
			t.Fatalf("From = %v (%v)", from, err)
		}
		if mid := m.Header.Get("Message-Id"); mid != d.Email.MessageID || !strings.HasSuffix(mid, "@acme.example>") {
			t.Fatalf("Message-ID = %q, stored %q", mid, d.Email.MessageID)
		}
		parts := leaves(t, m.Header, m.Body)
		var text, att *part
		for i := range parts {
			switch {
			case parts[i].filename != "":
				att = &parts[i]
			case parts[i].contentType == "text/plain":
				text = &parts[i]
			}
		}
		if text == nil || !strings.Contains(strings.ReplaceAll(string(text.body), "\r\n", "\n"), "the Q1 report is attached.") {
			t.Fatalf("no text part in %+v", parts)
		}
		if att == nil || att.filename != "Q1 report.csv" || att.contentType != "text/csv" || string(att.body) != "region,revenue\nnorth,100\n" {
			t.Fatalf("attachment = %+v", att)
		}

		status, errText, sentAt := e.stored(d.Email.ID)
		if status != StatusSent || errText != "" || sentAt != store.Micros(now) {
			t.Fatalf("stored = %q %q %d", status, errText, sentAt)
		}

		// email_search finds it; bodies are untrusted data.
		sr := e.call(e.a, "email_search", map[string]any{"query": "q1 NUMBERS", "status": "sent"})
		s := decode[searchData](t, sr)
		if !sr.Untrusted || len(s.Emails) != 1 || s.Emails[0].ID != d.Email.ID || !strings.Contains(s.Emails[0].Body, "attached") {
			t.Fatalf("search = %+v untrusted=%v", s, sr.Untrusted)
		}
		for _, to := range []string{"con_jane", "jane@ACME", "mem_ann"} {
			if s := decode[searchData](t, e.call(e.a, "email_search", map[string]any{"to": to})); len(s.Emails) != 1 {
				t.Errorf("search to=%s found %d", to, len(s.Emails))
			}
		}
		if s := decode[searchData](t, e.call(e.b, "email_search", map[string]any{})); len(s.Emails) != 0 {
			t.Fatalf("workspace B sees %d emails", len(s.Emails))
		}
	})
}

func TestNoRelayKeepsMailHonestly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, New(Config{}))
		res := e.call(e.a, "email_send", map[string]any{"to": []string{"jane@acme.example"}, "subject": "Hello", "body": "Hi"})
		d := decode[sendData](t, res)
		ref := "email/" + d.Email.ID
		if d.Sent || d.Email.Status != "not_sent: no SMTP relay configured" || d.Email.SentAt != "" {
			t.Fatalf("data = %+v", d)
		}
		r := res.Actions[0]
		if r.OK || r.Ref != ref || r.Summary != "Email not sent: no SMTP relay configured; kept in the outbox ("+ref+")" || d.Note != r.Summary {
			t.Fatalf("receipt = %+v note %q", r, d.Note)
		}
		if status, _, sentAt := e.stored(d.Email.ID); status != StatusNoRelay || sentAt != 0 {
			t.Fatalf("stored %q %d", status, sentAt)
		}
		if s := decode[searchData](t, e.call(e.a, "email_search", map[string]any{"status": "not_sent"})); len(s.Emails) != 1 {
			t.Fatalf("not_sent search = %+v", s)
		}
		for _, st := range []string{"sent", "failed"} {
			if s := decode[searchData](t, e.call(e.a, "email_search", map[string]any{"status": st})); len(s.Emails) != 0 {
				t.Fatalf("%s search = %+v", st, s)
			}
		}
	})
}

func TestHeaderInjectionRejected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := startRelay(t, "", "")
		e := newEnv(t, db, New(relayConfig(r)))
		ok := map[string]any{"to": []string{"jane@acme.example"}, "subject": "Hi", "body": "line one\r\nline two"}
		bad := []map[string]any{
			{"subject": "Hi\r\nBcc: evil@evil.example"},
			{"subject": "Hi\nthere"},
			{"subject": "Hi\x00"},
			{"to": []string{"jane@acme.example\r\nBcc: evil@evil.example"}},
			{"to": []string{"Jane\r\n <jane@acme.example>"}},
			{"to": []string{"jane@acme.example"}, "cc": []string{"x@y.example\nBcc: evil@evil.example"}},
			{"to": []string{"con_jane\r\n"}},
			{"to": []string{"not an address@"}},
			{"to": []string{"@acme.example"}},
			{"subject": "   "},
		}
		for _, override := range bad {
			args := map[string]any{}
			for k, v := range ok {
				args[k] = v
			}
			for k, v := range override {
				args[k] = v
			}
			_, err := e.try(e.a, "email_send", args)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("%v: error = %v, want Invalid", override, err)
			}
		}
		if n := e.emails(); n != 0 {
			t.Fatalf("%d emails stored", n)
		}
		if n := len(r.messages()); n != 0 {
			t.Fatalf("relay got %d messages", n)
		}
		// A body may hold line breaks; it cannot reach the headers.
		e.call(e.a, "email_send", ok)
		if n := len(r.messages()); n != 1 {
			t.Fatalf("relay got %d messages", n)
		}
	})
}

func TestRecipientsAndAttachmentsStayInWorkspace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, New(Config{}))
		send := func(c workspace.Caller, to []string, atts ...string) error {
			if atts == nil {
				atts = []string{}
			}
			_, err := e.try(c, "email_send", map[string]any{"to": to, "subject": "S", "body": "B", "attachments": atts})
			return err
		}
		for _, id := range []string{"con_zed", "mem_bob", "nobody"} {
			err := send(e.a, []string{id})
			wantKind(t, err, errs.NotFound)
			if !strings.Contains(errs.Message(err), id) {
				t.Errorf("message %q does not name %s", errs.Message(err), id)
			}
		}
		wantKind(t, send(e.a, []string{"con_nomail"}), errs.Invalid)
		wantKind(t, send(e.a, []string{"mem_nomail"}), errs.Invalid)
		err := send(e.a, []string{"jane@acme.example"}, e.secret.ID)
		wantKind(t, err, errs.NotFound)
		if !strings.Contains(errs.Message(err), e.secret.ID) {
			t.Errorf("message %q does not name the file", errs.Message(err))
		}
		// Mailing a file out needs files:read as well as email:send.
		sendOnly := e.a
		sendOnly.Scopes = []string{"email:send"}
		wantKind(t, send(sendOnly, []string{"jane@acme.example"}, e.report.ID), errs.Forbidden)
		if n := e.emails(); n != 0 {
			t.Fatalf("%d emails stored", n)
		}
		// The contact and member ids of the caller's own workspace resolve.
		res := e.call(e.b, "email_send", map[string]any{"to": []string{"con_zed", "mem_bob"}, "subject": "S", "body": "B"})
		if d := decode[sendData](t, res); !slices.Equal(d.Email.To, []string{"Zed Other <zed@other.example>", "Bob <bob@b.example>"}) {
			t.Fatalf("to = %q", d.Email.To)
		}
		if err := send(sendOnly, []string{"con_jane"}); err != nil {
			t.Fatalf("send without attachments: %v", err)
		}
		// Viewers may search but not send.
		viewer := e.a
		viewer.Role = workspace.Viewer
		wantKind(t, send(viewer, []string{"jane@acme.example"}), errs.Forbidden)
		e.call(viewer, "email_search", map[string]any{})
	})
}

func TestDeliveryFailureIsRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const password = "hunter2-very-secret"
		r := startRelay(t, "agent", password)

		// Wrong password: refused, recorded, and the secret appears nowhere.
		cfg := relayConfig(r)
		cfg.Username, cfg.Password = "agent", "wrong-"+password
		e := newEnv(t, db, New(cfg))
		res := e.call(e.a, "email_send", map[string]any{"to": []string{"jane@acme.example"}, "subject": "S", "body": "B"})
		d := decode[sendData](t, res)
		status, errText, sentAt := e.stored(d.Email.ID)
		if d.Sent || !strings.HasPrefix(status, "failed: ") || sentAt != 0 || res.Actions[0].OK {
			t.Fatalf("status %q sent_at %d receipt %+v", status, sentAt, res.Actions[0])
		}
		// The relay's words reach the model fenced as data.
		if !res.Untrusted {
			t.Fatal("a failed send's result (the relay's words) is not marked untrusted")
		}
		if !strings.Contains(res.Actions[0].Summary, "kept in the outbox (email/"+d.Email.ID+")") {
			t.Fatalf("summary = %q", res.Actions[0].Summary)
		}
		raw, _ := json.Marshal(res)
		for _, s := range []string{status, errText, string(raw)} {
			if strings.Contains(s, password) {
				t.Fatalf("password leaked: %s", s)
			}
		}
		if len(r.messages()) != 0 {
			t.Fatal("relay accepted mail without a login")
		}

		// The right password goes through.
		cfg.Password = password
		e.reg = workspace.NewRegistry(db, func() time.Time { return now })
		e.reg.Add(New(cfg).Tools()...)
		sent := e.call(e.a, "email_send", map[string]any{"to": []string{"jane@acme.example"}, "subject": "S", "body": "B"})
		if d := decode[sendData](t, sent); !d.Sent || sent.Untrusted {
			t.Fatalf("authenticated send = %+v (untrusted %v)", d, sent.Untrusted)
		}

		// A refused recipient and a relay that is not there.
		res = e.call(e.a, "email_send", map[string]any{"to": []string{"bounce@example.com"}, "subject": "S", "body": "B"})
		if d := decode[sendData](t, res); d.Sent || !strings.Contains(d.Email.Status, "refused a recipient") {
			t.Fatalf("bounce = %+v", d)
		}
		down := relayConfig(r)
		down.Port = closedPort(t)
		e.reg = workspace.NewRegistry(db, func() time.Time { return now })
		e.reg.Add(New(down).Tools()...)
		res = e.call(e.a, "email_send", map[string]any{"to": []string{"jane@acme.example"}, "subject": "S", "body": "B"})
		if d := decode[sendData](t, res); d.Sent || !strings.HasPrefix(d.Email.Status, "failed: could not connect to the SMTP relay") {
			t.Fatalf("down = %+v", d)
		}
		noFrom := relayConfig(r)
		noFrom.From = ""
		e.reg = workspace.NewRegistry(db, func() time.Time { return now })
		e.reg.Add(New(noFrom).Tools()...)
		res = e.call(e.a, "email_send", map[string]any{"to": []string{"jane@acme.example"}, "subject": "S", "body": "B"})
		if d := decode[sendData](t, res); d.Sent || !strings.Contains(d.Email.Status, "no valid sender address") {
			t.Fatalf("no sender = %+v", d)
		}
		if s := decode[searchData](t, e.call(e.a, "email_search", map[string]any{"status": "failed"})); len(s.Emails) != 4 {
			t.Fatalf("failed search found %d, want 4", len(s.Emails))
		}
	})
}

func TestSearchPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, New(Config{}))
		for _, s := range []string{"one", "two", "three", "100% sure"} {
			e.call(e.a, "email_send", map[string]any{"to": []string{"jane@acme.example"}, "subject": s, "body": "b"})
		}
		var subjects []string
		cursor := ""
		for range 10 {
			s := decode[searchData](t, e.call(e.a, "email_search", map[string]any{"limit": 1, "cursor": cursor}))
			for _, m := range s.Emails {
				subjects = append(subjects, m.Subject)
			}
			if cursor = s.NextCursor; cursor == "" {
				break
			}
		}
		if got := strings.Join(subjects, ","); got != "100% sure,three,two,one" {
			t.Fatalf("pages = %s", got)
		}
		if s := decode[searchData](t, e.call(e.a, "email_search", map[string]any{"query": "%"})); len(s.Emails) != 1 {
			t.Fatalf("%% matched %d", len(s.Emails))
		}
		_, err := e.try(e.a, "email_search", map[string]any{"status": "bounced"})
		wantKind(t, err, errs.Invalid)
		_, err = e.try(e.a, "email_search", map[string]any{"cursor": "!!"})
		wantKind(t, err, errs.Invalid)
	})
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
