package email

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a migrated database with workspaces A and B, their owners, a few
// contacts and a file, and a registry holding the email tools of svc.
type env struct {
	t      *testing.T
	db     *store.DB
	reg    *workspace.Registry
	a, b   workspace.Caller
	report files.File // a CSV in workspace A
	logo   files.File // a PNG in workspace A
	secret files.File // a file in workspace B
}

func newEnv(t *testing.T, db *store.DB, svc *Service) *env {
	t.Helper()
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_a', 'A', 1), ('ws_b', 'B', 1)`)
	exec(`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES
		('mem_ann', 'ws_a', 'Ann Owner', 'ann@a.example', 'owner', 1),
		('mem_nomail', 'ws_a', 'No Mail', '', 'member', 1),
		('mem_bob', 'ws_b', 'Bob', 'bob@b.example', 'owner', 1)`)
	// The contacts package owns this table (migration 0002); create the
	// columns this package reads if that migration is not in the tree yet.
	exec(`CREATE TABLE IF NOT EXISTS contacts (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '')`)
	insertContact(t, db, "con_jane", "ws_a", "Jane Doe", "jane@acme.example")
	insertContact(t, db, "con_nomail", "ws_a", "Phone Only", "")
	insertContact(t, db, "con_zed", "ws_b", "Zed Other", "zed@other.example")

	e := &env{t: t, db: db,
		a: workspace.Caller{WorkspaceID: "ws_a", MemberID: "mem_ann", Role: workspace.Owner},
		b: workspace.Caller{WorkspaceID: "ws_b", MemberID: "mem_bob", Role: workspace.Owner},
	}
	fsvc := &files.Service{}
	put := func(c workspace.Caller, name, ct, data string) files.File {
		var f files.File
		err := db.InTx(ctx, func(tx store.Tx) error {
			var err error
			f, err = fsvc.Put(ctx, tx, c, "", name, ct, strings.NewReader(data))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	e.report = put(e.a, "Q1 report.csv", "text/csv", "region,revenue\nnorth,100\n")
	e.logo = put(e.a, "logo.png", "", "\x89PNG\r\n\x1a\n\x00\x01binary")
	e.secret = put(e.b, "secret.txt", "", "top secret")
	e.reg = workspace.NewRegistry(db, func() time.Time { return now })
	e.reg.Add(svc.Tools()...)
	return e
}

// insertContact adds a contact, with the timestamps the real table may require.
func insertContact(t *testing.T, db *store.DB, id, ws, name, email string) {
	t.Helper()
	ctx := context.Background()
	_, err := db.Exec(ctx, `INSERT INTO contacts (id, workspace_id, name, email) VALUES (?, ?, ?, ?)`, id, ws, name, email)
	if err != nil {
		_, err = db.Exec(ctx, `INSERT INTO contacts (id, workspace_id, name, email, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1)`, id, ws, name, email)
	}
	if err != nil {
		t.Fatalf("insert contact: %v", err)
	}
}

func (e *env) try(c workspace.Caller, tool string, args any) (workspace.Result, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.reg.Call(context.Background(), c, tool, raw)
}

func (e *env) call(c workspace.Caller, tool string, args any) workspace.Result {
	e.t.Helper()
	res, err := e.try(c, tool, args)
	if err != nil {
		e.t.Fatalf("%s(%v): %v", tool, args, err)
	}
	return res
}

func (e *env) emails() int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM emails`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// stored reads the status columns of email id.
func (e *env) stored(id string) (status, errText string, sentAt int64) {
	e.t.Helper()
	err := e.db.QueryRow(context.Background(), `SELECT status, error, sent_at FROM emails WHERE id = ?`, id).Scan(&status, &errText, &sentAt)
	if err != nil {
		e.t.Fatal(err)
	}
	return
}

type sendData struct {
	Email struct {
		ID          string       `json:"id"`
		To          []string     `json:"to"`
		Cc          []string     `json:"cc"`
		Subject     string       `json:"subject"`
		Body        string       `json:"body"`
		Status      string       `json:"status"`
		MessageID   string       `json:"message_id"`
		SentAt      string       `json:"sent_at"`
		Attachments []Attachment `json:"attachments"`
	} `json:"email"`
	Sent bool   `json:"sent"`
	Note string `json:"note"`
}

type searchData struct {
	Emails []struct {
		ID      string   `json:"id"`
		Subject string   `json:"subject"`
		Body    string   `json:"body"`
		To      []string `json:"to"`
		Status  string   `json:"status"`
	} `json:"emails"`
	NextCursor string `json:"next_cursor"`
}

func decode[T any](t *testing.T, res workspace.Result) T {
	t.Helper()
	raw, err := json.Marshal(res.Data)
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return v
}

func wantKind(t *testing.T, err error, k errs.Kind) {
	t.Helper()
	if !errs.Is(err, k) {
		t.Fatalf("error = %v (%v), want %v", err, errs.KindOf(err), k)
	}
}

func relayConfig(r *relay) Config {
	return Config{Host: "127.0.0.1", Port: r.port, From: "Acme Agent <agent@acme.example>", TLS: TLSNone, Timeout: 5 * time.Second}
}

// part is one leaf of a parsed MIME message.
type part struct {
	contentType, filename string
	body                  []byte
}

// leaves walks a MIME entity and returns its non-multipart parts, decoded.
func leaves(t *testing.T, header map[string][]string, body io.Reader) []part {
	t.Helper()
	h := mail.Header(header)
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		var out []part
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, leaves(t, p.Header, p)...)
		}
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		raw, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
		if err != nil {
			t.Fatal(err)
		}
	case "quoted-printable":
		raw, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatal(err)
		}
	}
	_, dp, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	return []part{{contentType: mt, filename: dp["filename"], body: raw}}
}
