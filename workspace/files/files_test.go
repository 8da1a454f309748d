package files

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a migrated database with two workspaces, each with an owner, and
// a registry holding the file tools.
type env struct {
	t    *testing.T
	db   *store.DB
	reg  *workspace.Registry
	svc  *Service
	a, b workspace.Caller // owners of workspaces A and B
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db, svc: &Service{MaxSize: 1 << 10}}
	for i, ws := range []string{"ws_a", "ws_b"} {
		mem := "mem_" + ws
		if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 1)`, ws, ws); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, 'owner', 1)`,
			mem, ws, "Owner "+ws, ws+"@example.com"); err != nil {
			t.Fatal(err)
		}
		c := workspace.Caller{WorkspaceID: ws, MemberID: mem, Role: workspace.Owner}
		if i == 0 {
			e.a = c
		} else {
			e.b = c
		}
	}
	e.reg = workspace.NewRegistry(db, func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) })
	e.reg.Add(e.svc.Tools()...)
	return e
}

// call runs a tool and fails the test on error.
func (e *env) call(c workspace.Caller, tool string, args any) workspace.Result {
	e.t.Helper()
	res, err := e.try(c, tool, args)
	if err != nil {
		e.t.Fatalf("%s(%v): %v", tool, args, err)
	}
	return res
}

// try runs a tool.
func (e *env) try(c workspace.Caller, tool string, args any) (workspace.Result, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.reg.Call(context.Background(), c, tool, raw)
}

// put uploads a file through the Go API.
func (e *env) put(c workspace.Caller, folderID, name, contentType, data string) (File, error) {
	var f File
	err := e.db.InTx(context.Background(), func(tx store.Tx) error {
		var err error
		f, err = e.svc.Put(context.Background(), tx, c, folderID, name, contentType, strings.NewReader(data))
		return err
	})
	return f, err
}

func (e *env) mustPut(c workspace.Caller, folderID, name, data string) File {
	e.t.Helper()
	f, err := e.put(c, folderID, name, "", data)
	if err != nil {
		e.t.Fatalf("put %s: %v", name, err)
	}
	return f
}

func (e *env) count() int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM files`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// data round-trips a result's Data through JSON, as MCP clients see it.
func data[T any](t *testing.T, res workspace.Result) T {
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

type fileData struct {
	File struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Kind        string `json:"kind"`
		FolderID    string `json:"folder_id"`
		Size        int64  `json:"size"`
		ContentType string `json:"content_type"`
		CreatedAt   string `json:"created_at"`
		UpdatedAt   string `json:"updated_at"`
	} `json:"file"`
	Content string `json:"content"`
	Note    string `json:"content_note"`
	Deleted int    `json:"deleted"`
}

type pageData struct {
	Files []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"files"`
	NextCursor *string `json:"next_cursor"`
}

func names(p pageData) string {
	var s []string
	for _, f := range p.Files {
		s = append(s, f.Name)
	}
	return strings.Join(s, ",")
}

func wantKind(t *testing.T, err error, k errs.Kind) {
	t.Helper()
	if !errs.Is(err, k) {
		t.Fatalf("error = %v (%v), want %v", err, errs.KindOf(err), k)
	}
}

func TestPutGetOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		f := e.mustPut(e.a, "", "notes.txt", "hello, world")
		if f.Kind != KindFile || f.Size != 12 || f.ContentType != "text/plain; charset=utf-8" || f.FolderID != "" || f.SHA256 == "" {
			t.Fatalf("put = %+v", f)
		}
		got, err := e.svc.Get(ctx, db, e.a, f.ID)
		if err != nil || got != f {
			t.Fatalf("get = %+v, %v; want %+v", got, err, f)
		}
		_, body, err := e.svc.Open(ctx, db, e.a, f.ID)
		if err != nil || string(body) != "hello, world" {
			t.Fatalf("open = %q, %v", body, err)
		}
		empty := e.mustPut(e.a, "", "empty.bin", "")
		if _, body, err := e.svc.Open(ctx, db, e.a, empty.ID); err != nil || body == nil || len(body) != 0 {
			t.Fatalf("open empty = %v, %v", body, err)
		}

		// Another workspace sees nothing.
		_, err = e.svc.Get(ctx, db, e.b, f.ID)
		wantKind(t, err, errs.NotFound)
		_, _, err = e.svc.Open(ctx, db, e.b, f.ID)
		wantKind(t, err, errs.NotFound)
		_, err = e.put(e.b, f.ID, "x.txt", "", "x")
		wantKind(t, err, errs.NotFound)

		// Same name in the same folder, ignoring case: conflict.
		_, err = e.put(e.a, "", "NOTES.TXT", "", "again")
		wantKind(t, err, errs.Conflict)
		// A file is no folder.
		_, err = e.put(e.a, f.ID, "child.txt", "", "x")
		wantKind(t, err, errs.Invalid)

		viewer := e.a
		viewer.Role = workspace.Viewer
		_, err = e.put(viewer, "", "v.txt", "", "x")
		wantKind(t, err, errs.Forbidden)
		if _, err := e.svc.Get(ctx, db, viewer, f.ID); err != nil {
			t.Fatalf("viewer get: %v", err)
		}
		scoped := e.a
		scoped.Scopes = []string{"contacts:*"}
		_, err = e.svc.Get(ctx, db, scoped, f.ID)
		wantKind(t, err, errs.Forbidden)
	})
}

func TestPutTooLarge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // MaxSize 1 KiB
		if _, err := e.put(e.a, "", "exact.bin", "", strings.Repeat("x", 1<<10)); err != nil {
			t.Fatalf("exactly the limit: %v", err)
		}
		before := e.count()
		_, err := e.put(e.a, "", "big.bin", "", strings.Repeat("x", 1<<10+1))
		wantKind(t, err, errs.TooLarge)
		if !strings.Contains(errs.Message(err), "1 KiB") {
			t.Errorf("message = %q", errs.Message(err))
		}
		if n := e.count(); n != before {
			t.Fatalf("files after oversize put = %d, want %d", n, before)
		}
		// The reader is never drained past the limit.
		r := &countingReader{}
		_ = e.db.InTx(context.Background(), func(tx store.Tx) error {
			_, err := e.svc.Put(context.Background(), tx, e.a, "", "endless.bin", "", r)
			return err
		})
		if r.n > 1<<10+1 {
			t.Fatalf("read %d bytes of an endless upload", r.n)
		}
		if (&Service{}).maxSize() != DefaultMaxSize || DefaultMaxSize != 25<<20 {
			t.Fatal("default limit is not 25 MiB")
		}
	})
}

// countingReader is an endless stream of zeros that counts what was read.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	clear(p)
	r.n += len(p)
	return len(p), nil
}

func TestTraversalNamesRejected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		f := e.mustPut(e.a, "", "ok.txt", "x")
		for _, name := range []string{"..", ".", "../secret", `..\secret`, "a/b", "/etc/passwd", "x\r\nBcc: evil@example.com", ""} {
			_, err := e.put(e.a, "", name, "", "x")
			wantKind(t, err, errs.Invalid)
			_, err = e.try(e.a, "files_create_folder", map[string]any{"name": name})
			wantKind(t, err, errs.Invalid)
			_, err = e.try(e.a, "files_rename", map[string]any{"id": f.ID, "name": name})
			wantKind(t, err, errs.Invalid)
		}
		if n := e.count(); n != 1 {
			t.Fatalf("files = %d, want 1", n)
		}
	})
}

func TestAttachmentsFor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		x := e.mustPut(e.a, "", "x.csv", "a,b\n1,2\n")
		y := e.mustPut(e.a, "", "y.pdf", "%PDF-1.4 fake")
		dir := data[fileData](t, e.call(e.a, "files_create_folder", map[string]any{"name": "Dir"})).File
		atts, err := AttachmentsFor(ctx, db, "ws_a", []string{y.ID, x.ID, y.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != 2 || atts[0].Name != "y.pdf" || atts[1].Name != "x.csv" ||
			!strings.HasPrefix(atts[1].ContentType, "text/csv") || !bytes.Equal(atts[1].Data, []byte("a,b\n1,2\n")) || atts[0].ID != y.ID {
			t.Fatalf("attachments = %+v", atts)
		}
		_, err = AttachmentsFor(ctx, db, "ws_b", []string{x.ID})
		wantKind(t, err, errs.NotFound)
		if !strings.Contains(errs.Message(err), x.ID) {
			t.Errorf("message %q does not name the id", errs.Message(err))
		}
		_, err = AttachmentsFor(ctx, db, "ws_a", []string{dir.ID})
		wantKind(t, err, errs.Invalid)
	})
}

// TestUniqueIndexSettlesRaces skips the code's check, as a concurrent
// writer would, and still gets a Conflict from the index.
func TestUniqueIndexSettlesRaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		f := e.mustPut(e.a, "", "race.txt", "1")
		err := db.InTx(context.Background(), func(tx store.Tx) error {
			dup := f
			dup.ID, dup.Name = "01DUPLICATE", "RACE.txt"
			return insert(context.Background(), tx, dup, []byte("2"))
		})
		wantKind(t, err, errs.Conflict)
	})
}
