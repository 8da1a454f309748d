package httpapi_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// form builds a multipart upload: the file part (filename, content type,
// content) and extra fields as name, value pairs.
func form(t *testing.T, filename, contentType string, content []byte, fields ...string) (body []byte, ct string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := w.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if content != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(content)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// upload posts a multipart body to POST /api/files as c.
func upload(t *testing.T, api *httpapitest.API, c testbed.Creds, body []byte, ct string) testbed.Response {
	t.Helper()
	return api.Call(t, "POST", "/api/files", c, body, "Content-Type", ct)
}

// TestFilesUploadDownload: an upload is stored and read back (metadata,
// content, safe download headers); names, types and mistakes are handled.
func TestFilesUploadDownload(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			api := httpapitest.New(t, httpapitest.Options{DatabaseURL: url})
			owner := api.Workspace(t, workspace.Owner, access.KeyParams{})

			body, ct := form(t, "hello.txt", "text/plain", []byte("hello world"))
			r := upload(t, api, owner, body, ct)
			var f httpapi.FileView
			r.JSON(t, &f)
			if r.Status != http.StatusCreated || r.Header.Get("Location") != "/api/files/"+f.ID {
				t.Fatalf("upload = %d %s (Location %q)", r.Status, r.Body, r.Header.Get("Location"))
			}
			if f.Name != "hello.txt" || f.Kind != "file" || f.Size != 11 || f.ContentType != "text/plain" || f.FolderID != "" || f.ContentURL != "/api/files/"+f.ID+"/content" {
				t.Fatalf("uploaded %+v", f)
			}

			r = api.Call(t, "GET", "/api/files/"+f.ID, owner, nil)
			var meta httpapi.FileView
			r.JSON(t, &meta)
			if r.Status != http.StatusOK || meta != f {
				t.Fatalf("metadata = %d %s, want %+v", r.Status, r.Body, f)
			}

			r = api.Call(t, "GET", "/api/files/"+f.ID+"/content", owner, nil)
			if r.Status != http.StatusOK || string(r.Body) != "hello world" {
				t.Fatalf("download = %d %q", r.Status, r.Body)
			}
			for h, want := range map[string]string{
				"Content-Type": "text/plain", "Content-Disposition": `attachment; filename="hello.txt"`,
				"Content-Length": "11", "X-Content-Type-Options": "nosniff",
			} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}

			// The name field wins over the file name; a name outside ASCII
			// is downloaded under its exact name, with a safe fallback.
			body, ct = form(t, "upload.bin", "application/octet-stream", []byte("%PDF-1.4 fake"), "name", `Résumé "final".pdf`)
			r = upload(t, api, owner, body, ct)
			var pdf httpapi.FileView
			r.JSON(t, &pdf)
			if r.Status != http.StatusCreated || pdf.Name != `Résumé "final".pdf` || pdf.ContentType != "application/pdf" {
				t.Fatalf("named upload = %d %s", r.Status, r.Body)
			}
			r = api.Call(t, "GET", "/api/files/"+pdf.ID+"/content", owner, nil)
			cd := r.Header.Get("Content-Disposition")
			if !strings.HasPrefix(cd, `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''`) {
				t.Errorf("Content-Disposition %q", cd)
			}
			if disp, params, err := mime.ParseMediaType(cd); err != nil || disp != "attachment" || params["filename"] != pdf.Name {
				t.Errorf("Content-Disposition %q parses as %q %v (%v)", cd, disp, params, err)
			}

			// Windows clients send the whole path as the file name.
			body, ct = form(t, `C:\Users\me\notes.md`, "", []byte("# notes"))
			r = upload(t, api, owner, body, ct)
			var md httpapi.FileView
			r.JSON(t, &md)
			if r.Status != http.StatusCreated || md.Name != "notes.md" {
				t.Fatalf("windows path upload = %d %s", r.Status, r.Body)
			}

			// Mistakes.
			body, ct = form(t, "hello.txt", "text/plain", []byte("again"))
			if r := upload(t, api, owner, body, ct); r.Status != http.StatusConflict {
				t.Errorf("same name again = %d %s", r.Status, r.Body)
			}
			body, ct = form(t, "x.txt", "text/plain", []byte("x"), "folder_id", "01JNOSUCHFOLDER00000000000")
			if r := upload(t, api, owner, body, ct); r.Status != http.StatusNotFound {
				t.Errorf("unknown folder = %d %s", r.Status, r.Body)
			}
			body, ct = form(t, "", "", nil, "name", "nothing.txt")
			if r := upload(t, api, owner, body, ct); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("no file part = %d %s", r.Status, r.Body)
			}
			if r := api.Call(t, "POST", "/api/files", owner, map[string]any{"file": "x"}); r.Status != http.StatusBadRequest {
				t.Errorf("JSON body = %d %s", r.Status, r.Body)
			}
			body, ct = form(t, "bad.txt", "text/plain", []byte("x"), "name", "a/b")
			if r := upload(t, api, owner, body, ct); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("name with a slash = %d %s", r.Status, r.Body)
			}
			if r := api.Call(t, "GET", "/api/files/01JNOSUCHFILE0000000000000/content", owner, nil); r.Status != http.StatusNotFound {
				t.Errorf("unknown file = %d", r.Status)
			}
		})
	}
}

func TestFilesPermissions(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	owner := api.Workspace(t, workspace.Owner, access.KeyParams{})
	viewer := testbed.AddMember(t, api.DB, owner, workspace.Viewer, "viewer@example.com")
	readOnly := testbed.AddKey(t, api.DB, owner, "files:read")
	noFiles := testbed.AddKey(t, api.DB, owner, "contacts:*")
	stranger := api.Workspace(t, workspace.Owner, access.KeyParams{})

	body, ct := form(t, "a.txt", "text/plain", []byte("a"))
	r := upload(t, api, owner, body, ct)
	var f httpapi.FileView
	r.JSON(t, &f)
	if r.Status != http.StatusCreated {
		t.Fatalf("owner upload = %d %s", r.Status, r.Body)
	}
	get := func(c testbed.Creds) (meta, content int) {
		return api.Call(t, "GET", "/api/files/"+f.ID, c, nil).Status, api.Call(t, "GET", "/api/files/"+f.ID+"/content", c, nil).Status
	}

	tests := []struct {
		name          string
		c             testbed.Creds
		upload        int
		meta, content int
	}{
		{"viewer", viewer, http.StatusForbidden, http.StatusOK, http.StatusOK},
		{"files:read key", readOnly, http.StatusForbidden, http.StatusOK, http.StatusOK},
		{"contacts key", noFiles, http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
		{"another workspace", stranger, http.StatusCreated, http.StatusNotFound, http.StatusNotFound},
		{"no credentials", testbed.Creds{}, http.StatusUnauthorized, http.StatusUnauthorized, http.StatusUnauthorized},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := form(t, "b"+string(rune('0'+i))+".txt", "text/plain", []byte("b"))
			r := upload(t, api, tt.c, body, ct)
			if r.Status != tt.upload {
				t.Errorf("upload = %d %s, want %d", r.Status, r.Body, tt.upload)
			}
			if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("upload error Content-Type %q", r.Header.Get("Content-Type"))
			}
			if meta, content := get(tt.c); meta != tt.meta || content != tt.content {
				t.Errorf("get = %d, content = %d; want %d, %d", meta, content, tt.meta, tt.content)
			}
		})
	}
}

// TestFilesSizeLimit: a file over the limit is 413 problem+json, whether
// the store finds it too large or the body itself is over the limit, with
// or without a Content-Length; nothing is stored.
func TestFilesSizeLimit(t *testing.T) {
	const limit = 4 << 10
	api := httpapitest.New(t, httpapitest.Options{Config: httpapi.Config{MaxFileSize: limit}})
	c := api.Workspace(t, workspace.Owner, access.KeyParams{})

	body, ct := form(t, "fits.bin", "", bytes.Repeat([]byte("x"), limit))
	if r := upload(t, api, c, body, ct); r.Status != http.StatusCreated {
		t.Fatalf("file at the limit = %d %s", r.Status, r.Body)
	}
	for _, size := range []int{limit + 1, 1 << 20} {
		body, ct := form(t, "big.bin", "", bytes.Repeat([]byte("x"), size))
		r := upload(t, api, c, body, ct)
		var p struct{ Status int }
		r.JSON(t, &p)
		if r.Status != http.StatusRequestEntityTooLarge || r.Header.Get("Content-Type") != "application/problem+json" || p.Status != 413 {
			t.Errorf("%d bytes = %d %s", size, r.Status, r.Body)
		}
		// Streamed, without a Content-Length.
		req := testbed.NewRequest(t, "POST", "/api/files", c, nil, "Content-Type", ct)
		req.Body, req.ContentLength = io.NopCloser(io.MultiReader(bytes.NewReader(body))), -1
		rec := httptest.NewRecorder()
		api.Adapter().ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%d bytes streamed = %d %s", size, rec.Code, rec.Body)
		}
	}
	var stored int
	if err := api.DB.QueryRow(t.Context(), `SELECT count(*) FROM files WHERE workspace_id = ?`, c.WorkspaceID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 1 {
		t.Fatalf("%d files stored, want 1", stored)
	}
}
