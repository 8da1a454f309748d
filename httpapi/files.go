package httpapi

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace/files"
)

// uploadOverhead is what a multipart body may carry beyond the file itself
// (part headers, boundaries, the folder_id and name fields).
const uploadOverhead = 64 << 10

// uploadMemory is how much of an upload is held in memory while the form
// is parsed; the rest goes to a temporary file, removed after the request.
const uploadMemory = 1 << 20

type uploadInput struct {
	RawBody multipart.Form
}

// FileView is a file or folder's metadata as the API shows it.
type FileView struct {
	ID          string    `json:"id" doc:"The file's id"`
	Name        string    `json:"name" doc:"Its name, unique in its folder" example:"report.pdf"`
	Kind        string    `json:"kind" enum:"file,folder" doc:"file or folder"`
	FolderID    string    `json:"folder_id" doc:"The folder it is in; empty for the root"`
	Size        int64     `json:"size" doc:"Size in bytes (0 for a folder)"`
	ContentType string    `json:"content_type" doc:"Media type (empty for a folder)" example:"application/pdf"`
	ContentURL  string    `json:"content_url,omitempty" doc:"Where to download a file's content" example:"/api/files/01JD7X3K9Q6M2B5V8N4R0T1W2Y/content"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ViewFile converts a file for display.
func ViewFile(f files.File) FileView {
	v := FileView{ID: f.ID, Name: f.Name, Kind: string(f.Kind), FolderID: f.FolderID, Size: f.Size,
		ContentType: f.ContentType, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
	if f.Kind == files.KindFile {
		v.ContentURL = "/api/files/" + f.ID + "/content"
	}
	return v
}

type fileOutput struct {
	Location string `header:"Location" doc:"The file's URL"`
	Body     FileView
}

type fileIDInput struct {
	ID string `path:"id" maxLength:"64" doc:"File id"`
}

type fileMetaOutput struct {
	Body FileView
}

type downloadOutput struct {
	ContentType        string `header:"Content-Type" doc:"The file's media type"`
	ContentDisposition string `header:"Content-Disposition" doc:"attachment, with the file's name"`
	ContentLength      string `header:"Content-Length" doc:"The file's size in bytes"`
	NoSniff            string `header:"X-Content-Type-Options" doc:"nosniff: browsers must not guess another type"`
	Sandbox            string `header:"Content-Security-Policy" doc:"sandbox: nothing in the file runs with the node's origin"`
	Body               []byte
}

func (n *Server) registerFiles(api huma.API) {
	addTag(api, "Files", "Upload and download the workspace's files.")
	bodyLimit := n.cfg.MaxFileSize + uploadOverhead
	huma.Register(api, huma.Operation{
		OperationID: "upload-file", Method: http.MethodPost, Path: "/api/files",
		Summary:     "Upload a file",
		Description: "Stores a file in the workspace's file store, as the token's member. A multipart/form-data body with the field `file` (the content), and optionally `folder_id` (default: the root folder) and `name` (default: the uploaded file's name). The file may be at most SOIS_MAX_FILE_BYTES (default 25 MiB): a larger one is 413. Needs files:write in the key's scopes and a role that may write (a viewer may not).",
		Tags:        []string{"Files"}, Security: securityBoth,
		// Huma does not bound multipart bodies itself; limitUpload does,
		// with the same limit, before the form is parsed.
		MaxBodyBytes:  bodyLimit,
		Middlewares:   huma.Middlewares{n.limitUpload(api, bodyLimit)},
		DefaultStatus: http.StatusCreated,
		Errors:        []int{400, 401, 403, 404, 409, 413, 422, 429},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"multipart/form-data": {
				Schema: &huma.Schema{Type: "object", Required: []string{"file"}, Properties: map[string]*huma.Schema{
					"file":      {Type: "string", Format: "binary", ContentEncoding: "binary", Description: "The file's content; its part's Content-Type is kept (guessed from the name and content when absent or application/octet-stream)"},
					"folder_id": {Type: "string", MaxLength: intPtr(64), Description: "The folder to put the file in; empty or absent for the root"},
					"name":      {Type: "string", MaxLength: intPtr(files.MaxNameBytes), Description: "The file's name; default the uploaded file's name"},
				}},
				Encoding: map[string]*huma.Encoding{"file": {ContentType: "application/octet-stream"}},
			},
		}},
	}, n.uploadFile)
	huma.Register(api, huma.Operation{
		OperationID: "get-file", Method: http.MethodGet, Path: "/api/files/{id}",
		Summary:     "Get a file's metadata",
		Description: "Name, kind, folder, size and media type of a file or folder. Another workspace's id is 404, like an unknown one. Needs files:read.",
		Tags:        []string{"Files"}, Security: securityBoth, Errors: []int{401, 403, 404, 422, 429},
	}, func(ctx context.Context, in *fileIDInput) (*fileMetaOutput, error) {
		f, err := n.files.Get(ctx, n.db, principal(ctx).Caller, in.ID)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &fileMetaOutput{Body: ViewFile(f)}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "download-file", Method: http.MethodGet, Path: "/api/files/{id}/content",
		Summary:     "Download a file",
		Description: "The file's bytes, with its media type and Content-Disposition: attachment naming it. A folder is 422. Needs files:read.",
		Tags:        []string{"Files"}, Security: securityBoth, Errors: []int{401, 403, 404, 422, 429},
		Responses: map[string]*huma.Response{
			"200": {Description: "The file's content", Content: map[string]*huma.MediaType{
				"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary", ContentEncoding: "binary"}},
			}},
		},
	}, func(ctx context.Context, in *fileIDInput) (*downloadOutput, error) {
		f, data, err := n.files.Open(ctx, n.db, principal(ctx).Caller, in.ID)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &downloadOutput{ContentType: f.ContentType, ContentDisposition: attachment(f.Name),
			ContentLength: strconv.Itoa(len(data)), NoSniff: "nosniff", Sandbox: "sandbox", Body: data}, nil
	})
}

func intPtr(i int) *int { return &i }

// addTag documents an operation tag once.
func addTag(api huma.API, name, description string) {
	doc := api.OpenAPI()
	for _, t := range doc.Tags {
		if t.Name == name {
			return
		}
	}
	doc.Tags = append(doc.Tags, &huma.Tag{Name: name, Description: description})
}

// limitUpload refuses an upload body larger than limit with 413 and parses
// the multipart form within it, after authentication (an anonymous caller
// never makes the node read a body).
func (n *Server) limitUpload(api huma.API, limit int64) func(huma.Context, func(huma.Context)) {
	tooLarge := func(ctx huma.Context) {
		_ = huma.WriteErr(api, ctx, http.StatusRequestEntityTooLarge,
			"the upload is larger than the file size limit of "+files.HumanSize(n.cfg.MaxFileSize))
	}
	return func(ctx huma.Context, next func(huma.Context)) {
		r, w := humago.Unwrap(ctx)
		if r.ContentLength > limit {
			tooLarge(ctx)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseMultipartForm(uploadMemory); err != nil {
			var big *http.MaxBytesError
			if errors.As(err, &big) {
				tooLarge(ctx)
				return
			}
			_ = huma.WriteErr(api, ctx, http.StatusBadRequest, "the body must be multipart/form-data with a file in the field \"file\"")
			return
		}
		next(ctx)
	}
}

func (n *Server) uploadFile(ctx context.Context, in *uploadInput) (*fileOutput, error) {
	pr := principal(ctx)
	form := in.RawBody
	parts := form.File["file"]
	switch {
	case len(parts) == 0:
		return nil, newProblem(http.StatusUnprocessableEntity, "the form field \"file\" with the file's content is required")
	case len(parts) > 1:
		return nil, newProblem(http.StatusUnprocessableEntity, "send one file per request in the form field \"file\"")
	}
	part := parts[0]
	folderID, name := formValue(form, "folder_id"), formValue(form, "name")
	if len(folderID) > 64 {
		return nil, newProblem(http.StatusUnprocessableEntity, "folder_id is longer than 64 characters")
	}
	if name == "" {
		name = baseName(part.Filename)
	}
	ct := part.Header.Get("Content-Type")
	if strings.EqualFold(strings.TrimSpace(ct), "application/octet-stream") {
		ct = "" // what clients send when they do not know: let the store guess
	}
	body, err := part.Open()
	if err != nil {
		return nil, problemFor(n.log, fmt.Errorf("httpapi: open upload: %w", err))
	}
	defer body.Close()
	var f files.File
	err = n.db.InTx(ctx, func(tx store.Tx) error {
		f, err = n.files.Put(ctx, tx, pr.Caller, folderID, name, ct, body)
		return err
	})
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	n.log.Info("file uploaded", "file_id", f.ID, "workspace_id", pr.Caller.WorkspaceID, "member_id", pr.Member.ID, "size", f.Size)
	return &fileOutput{Location: "/api/files/" + f.ID, Body: ViewFile(f)}, nil
}

func formValue(form multipart.Form, key string) string {
	if vs := form.Value[key]; len(vs) > 0 {
		return strings.TrimSpace(vs[0])
	}
	return ""
}

// baseName is the last element of an uploaded file name, whichever
// separator the client's system uses (multipart keeps "C:\dir\a.txt").
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSpace(name)
}

// attachment is a Content-Disposition value naming the file: a quoted
// ASCII fallback with anything unsafe replaced, plus the exact name in
// RFC 8187 encoding when the two differ.
func attachment(name string) string {
	var ascii strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || strings.ContainsRune(`"\/%;`, r) {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	v := `attachment; filename="` + ascii.String() + `"`
	if ascii.String() != name {
		v += "; filename*=UTF-8''" + encode8187(name)
	}
	return v
}

// encode8187 percent-encodes s as an RFC 8187 ext-value (attr-char kept).
func encode8187(s string) string {
	const keep = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
