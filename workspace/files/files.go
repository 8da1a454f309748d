// Package files is the workspace's shared file store: folders and files
// whose content lives in the database, so several nodes sharing one
// PostgreSQL database serve the same files. It offers a Go API for uploads
// and downloads (HTTP, CLI), the files_* workspace tools, and attachments
// for email.
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// DefaultMaxSize is the largest file Put accepts when Service.MaxSize is unset.
const DefaultMaxSize int64 = 25 << 20

// MaxInlineContent is the largest text file files_get returns the content of.
const MaxInlineContent = 64 << 10

// Scopes the file tools and the Go API need.
const (
	ScopeRead  = "files:read"
	ScopeWrite = "files:write"
)

// Kind tells a folder from a file.
type Kind string

// Kinds.
const (
	KindFolder Kind = "folder"
	KindFile   Kind = "file"
)

// File is a file or folder, without its content.
type File struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        Kind      `json:"kind"`
	FolderID    string    `json:"folder_id"` // "" = root
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	WorkspaceID string `json:"-"`
	SHA256      string `json:"-"` // hex digest of the content; "" for folders
	CreatedBy   string `json:"-"` // member id
}

// ref is the receipt reference of f: "file/<id>" or "folder/<id>".
func (f File) ref() string { return string(f.Kind) + "/" + f.ID }

// Service is the file store. The zero value is ready to use.
type Service struct {
	// MaxSize is the largest file Put accepts, in bytes; ≤ 0 means DefaultMaxSize.
	MaxSize int64
	// Now is Put's clock; nil means time.Now. Tools use the registry's clock.
	Now func() time.Time
}

func (s *Service) maxSize() int64 {
	if s == nil || s.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return s.MaxSize
}

func (s *Service) now() time.Time {
	if s == nil || s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Put stores the content of r as a new file named name in folderID ("" =
// root), as caller. It reads at most MaxSize+1 bytes: a larger file is
// errs.TooLarge and nothing is written. An empty contentType is guessed
// from the name and the content. A name already used in the folder is
// errs.Conflict.
func (s *Service) Put(ctx context.Context, tx store.Tx, caller workspace.Caller, folderID, name, contentType string, r io.Reader) (File, error) {
	if err := allow(caller, ScopeWrite, workspace.Write); err != nil {
		return File{}, err
	}
	if err := ValidateName(name); err != nil {
		return File{}, err
	}
	ws := caller.WorkspaceID
	if _, err := folder(ctx, tx, ws, folderID); err != nil {
		return File{}, err
	}
	if err := nameFree(ctx, tx, ws, folderID, name, ""); err != nil {
		return File{}, err
	}
	limit := s.maxSize()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return File{}, fmt.Errorf("files: read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return File{}, errs.E(errs.TooLarge, "file %q is larger than the limit of %s", name, HumanSize(limit)).With("limit_bytes", limit)
	}
	ct, err := contentTypeFor(name, contentType, data)
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	now := s.now().UTC()
	f := File{
		ID: store.NewID(), Name: name, Kind: KindFile, FolderID: folderID,
		Size: int64(len(data)), ContentType: ct, CreatedAt: now, UpdatedAt: now,
		WorkspaceID: ws, SHA256: hex.EncodeToString(sum[:]), CreatedBy: caller.MemberID,
	}
	if err := insert(ctx, tx, f, data); err != nil {
		return File{}, err
	}
	return trimTime(f), nil
}

// Get returns the file or folder id of caller's workspace. Ids of other
// workspaces are errs.NotFound.
func (s *Service) Get(ctx context.Context, q store.Querier, caller workspace.Caller, id string) (File, error) {
	if err := allow(caller, ScopeRead, workspace.Read); err != nil {
		return File{}, err
	}
	return get(ctx, q, caller.WorkspaceID, id)
}

// Open returns file id of caller's workspace with its content. A folder is
// errs.Invalid.
func (s *Service) Open(ctx context.Context, q store.Querier, caller workspace.Caller, id string) (File, []byte, error) {
	if err := allow(caller, ScopeRead, workspace.Read); err != nil {
		return File{}, nil, err
	}
	f, err := get(ctx, q, caller.WorkspaceID, id)
	if err != nil {
		return File{}, nil, err
	}
	if f.Kind != KindFile {
		return File{}, nil, errs.E(errs.Invalid, "%s is a folder, not a file", id)
	}
	data, err := content(ctx, q, caller.WorkspaceID, id)
	if err != nil {
		return File{}, nil, err
	}
	return f, data, nil
}

// Attachment is a file's name, type and content, ready to attach to an email.
type Attachment struct {
	ID          string
	Name        string
	ContentType string
	Data        []byte
}

// AttachmentsFor loads the files ids of workspaceID, in order and without
// duplicates. An unknown id (or another workspace's) is errs.NotFound
// naming it; a folder is errs.Invalid. Permission checks are the caller's.
func AttachmentsFor(ctx context.Context, q store.Querier, workspaceID string, ids []string) ([]Attachment, error) {
	out := make([]Attachment, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		f, err := get(ctx, q, workspaceID, id)
		if err != nil {
			return nil, err
		}
		if f.Kind != KindFile {
			return nil, errs.E(errs.Invalid, "%s (%q) is a folder; only files can be attached", id, f.Name)
		}
		data, err := content(ctx, q, workspaceID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, Attachment{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Data: data})
	}
	return out, nil
}

// allow checks a Go API caller's permission, as the registry does for tools.
func allow(c workspace.Caller, scope string, e workspace.Effect) error {
	if c.WorkspaceID == "" {
		return errs.E(errs.Forbidden, "no workspace")
	}
	if !c.Allows(scope, e) {
		return errs.E(errs.Forbidden, "this needs scope %s and a role that may %s", scope, e)
	}
	return nil
}

// trimTime drops sub-microsecond precision so a returned File equals what
// a later Get reads back.
func trimTime(f File) File {
	f.CreatedAt = f.CreatedAt.Truncate(time.Microsecond)
	f.UpdatedAt = f.UpdatedAt.Truncate(time.Microsecond)
	return f
}

// HumanSize is n as an operator configures it: "25 MiB", "4 KiB" or bytes.
func HumanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// nonNil makes an empty content non-NULL for both drivers.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
