package files

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"
)

// Tools returns the files_* workspace tools (docs/tools.md).
func (s *Service) Tools() []workspace.Tool {
	return []workspace.Tool{
		{
			Name:        "files_search",
			Description: "Find files and folders whose name contains the query.",
			Schema:      schema(`"query":{"type":"string","description":"Text the name contains (any case)."},`+pageProps, ``),
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.search,
		},
		{
			Name:        "files_list",
			Description: "List a folder's files and subfolders (folders first).",
			Schema:      schema(`"folder_id":{"type":"string","description":"Folder to list; empty for the root folder."},`+pageProps, ``),
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.list,
		},
		{
			Name:        "files_get",
			Description: "Get a file or folder; include_content returns a text file's content (at most 64 KiB).",
			Schema:      schema(`"id":{"type":"string","minLength":1},"include_content":{"type":"boolean","description":"Also return the text of a text or JSON file of at most 64 KiB."}`, `"id"`),
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.get,
		},
		{
			Name:        "files_create_folder",
			Description: "Create a folder.",
			Schema:      schema(`"name":{"type":"string","minLength":1,"maxLength":255},"parent_id":{"type":"string","description":"Folder to create it in; empty for the root folder."}`, `"name"`),
			Scope:       ScopeWrite, Effect: workspace.Write, Run: s.createFolder,
		},
		{
			Name:        "files_move",
			Idempotent:  true,
			Description: "Move a file or folder into another folder.",
			Schema:      schema(`"id":{"type":"string","minLength":1},"folder_id":{"type":"string","description":"Destination folder; empty for the root folder."}`, `"id","folder_id"`),
			Scope:       ScopeWrite, Effect: workspace.Write, Run: s.move,
		},
		{
			Name:        "files_rename",
			Idempotent:  true,
			Description: "Rename a file or folder.",
			Schema:      schema(`"id":{"type":"string","minLength":1},"name":{"type":"string","minLength":1,"maxLength":255}`, `"id","name"`),
			Scope:       ScopeWrite, Effect: workspace.Write, Run: s.rename,
		},
		{
			Name:        "files_delete",
			Idempotent:  true,
			Description: "Delete a file, or a folder with everything in it.",
			Schema:      schema(`"id":{"type":"string","minLength":1}`, `"id"`),
			Scope:       ScopeWrite, Effect: workspace.Destroy, Run: s.delete,
		},
	}
}

const pageProps = `"limit":{"type":"integer","minimum":1,"maximum":100,"description":"Page size, default 20."},` +
	`"cursor":{"type":"string","description":"next_cursor of the previous page."}`

// schema builds an object schema from property JSON and required names.
func schema(props, required string) json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` + props + `},"required":[` + required + `],"additionalProperties":false}`)
}

// decode reads tool arguments into v.
func decode(args json.RawMessage, v any) error {
	if len(args) == 0 {
		return nil
	}
	if err := json.Unmarshal(args, v); err != nil {
		return errs.E(errs.Invalid, "arguments: %v", err)
	}
	return nil
}

// page is the data shape of search and list results.
type page struct {
	Files      []File `json:"files"`
	NextCursor string `json:"next_cursor"`
}

// one is the data shape of single-entry results.
type one struct {
	File File `json:"file"`
}

func (s *Service) search(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var a struct {
		Query  string `json:"query"`
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}
	if err := decode(args, &a); err != nil {
		return workspace.Result{}, err
	}
	fs, next, err := list(ctx, env.Tx, listQuery{Workspace: env.Caller.WorkspaceID, NameLike: a.Query, Limit: a.Limit, Cursor: a.Cursor})
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: page{Files: fs, NextCursor: next}}, nil
}

func (s *Service) list(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var a struct {
		FolderID string `json:"folder_id"`
		Limit    int    `json:"limit"`
		Cursor   string `json:"cursor"`
	}
	if err := decode(args, &a); err != nil {
		return workspace.Result{}, err
	}
	ws := env.Caller.WorkspaceID
	if _, err := folder(ctx, env.Tx, ws, a.FolderID); err != nil {
		return workspace.Result{}, err
	}
	fs, next, err := list(ctx, env.Tx, listQuery{Workspace: ws, Folder: &a.FolderID, Limit: a.Limit, Cursor: a.Cursor})
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: page{Files: fs, NextCursor: next}}, nil
}

func (s *Service) get(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var a struct {
		ID             string `json:"id"`
		IncludeContent bool   `json:"include_content"`
	}
	if err := decode(args, &a); err != nil {
		return workspace.Result{}, err
	}
	ws := env.Caller.WorkspaceID
	f, err := get(ctx, env.Tx, ws, a.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	if !a.IncludeContent {
		return workspace.Result{Data: one{File: f}}, nil
	}
	type withContent struct {
		File    File   `json:"file"`
		Content string `json:"content,omitempty"`
		Note    string `json:"content_note,omitempty"`
	}
	if why := inlineRefusal(f); why != "" {
		return workspace.Result{Data: withContent{File: f, Note: why}}, nil
	}
	data, err := content(ctx, env.Tx, ws, f.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	if !validText(data) {
		return workspace.Result{Data: withContent{File: f, Note: notUTF8}}, nil
	}
	// The text was written outside the workspace's control: it is data,
	// never instructions.
	return workspace.Result{Data: withContent{File: f, Content: string(data)}, Untrusted: true}, nil
}

func (s *Service) createFolder(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var a struct {
		Name     string `json:"name"`
		ParentID string `json:"parent_id"`
	}
	if err := decode(args, &a); err != nil {
		return workspace.Result{}, err
	}
	if err := ValidateName(a.Name); err != nil {
		return workspace.Result{}, err
	}
	ws := env.Caller.WorkspaceID
	parent, err := folder(ctx, env.Tx, ws, a.ParentID)
	if err != nil {
		return workspace.Result{}, err
	}
	if err := nameFree(ctx, env.Tx, ws, a.ParentID, a.Name, ""); err != nil {
		return workspace.Result{}, err
	}
	now := env.Now.UTC()
	f := trimTime(File{
		ID: ulid.Make().String(), Name: a.Name, Kind: KindFolder, FolderID: a.ParentID,
		CreatedAt: now, UpdatedAt: now, WorkspaceID: ws, CreatedBy: env.Caller.MemberID,
	})
	if err := insert(ctx, env.Tx, f, nil); err != nil {
		return workspace.Result{}, err
	}
	return done(f, "files_create_folder", fmt.Sprintf("Created folder %q in %s", f.Name, where(parent))), nil
}

func (s *Service) move(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var a struct {
		ID       string `json:"id"`
		FolderID string `json:"folder_id"`
	}
	if err := decode(args, &a); err != nil {
		return workspace.Result{}, err
	}
	ws := env.Caller.WorkspaceID
	f, err := get(ctx, env.Tx, ws, a.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	dest, err := folder(ctx, env.Tx, ws, a.FolderID)
	if err != nil {
		return workspace.Result{}, err
	}
	if f.Kind == KindFolder {
		inside, err := within(ctx, env.Tx, ws, a.FolderID, f.ID)
		if err != nil {
			return workspace.Result{}, err
		}
		if inside {
			return workspace.Result{}, errs.E(errs.Invalid, "cannot move folder %q into itself or one of its subfolders", f.Name)
		}
	}
	if err := nameFree(ctx, env.Tx, ws, a.FolderID, f.Name, f.ID); err != nil {
		return workspace.Result{}, err
	}
	f.FolderID = a.FolderID
	f.UpdatedAt = env.Now.UTC().Truncate(time.Microsecond)
	if err := update(ctx, env.Tx, f); err != nil {
		return workspace.Result{}, err
	}
	return done(f, "files_move", fmt.Sprintf("Moved %s %q to %s", f.Kind, f.Name, where(dest))), nil
}

func (s *Service) rename(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var a struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := decode(args, &a); err != nil {
		return workspace.Result{}, err
	}
	if err := ValidateName(a.Name); err != nil {
		return workspace.Result{}, err
	}
	ws := env.Caller.WorkspaceID
	f, err := get(ctx, env.Tx, ws, a.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	if err := nameFree(ctx, env.Tx, ws, f.FolderID, a.Name, f.ID); err != nil {
		return workspace.Result{}, err
	}
	old := f.Name
	f.Name = a.Name
	f.UpdatedAt = env.Now.UTC().Truncate(time.Microsecond)
	if err := update(ctx, env.Tx, f); err != nil {
		return workspace.Result{}, err
	}
	return done(f, "files_rename", fmt.Sprintf("Renamed %s %q to %q", f.Kind, old, f.Name)), nil
}

func (s *Service) delete(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var a struct {
		ID string `json:"id"`
	}
	if err := decode(args, &a); err != nil {
		return workspace.Result{}, err
	}
	ws := env.Caller.WorkspaceID
	f, err := get(ctx, env.Tx, ws, a.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	n, err := removeTree(ctx, env.Tx, ws, f.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	summary := fmt.Sprintf("Deleted file %q", f.Name)
	if f.Kind == KindFolder {
		summary = fmt.Sprintf("Deleted folder %q and the %d item(s) inside it (%d in all)", f.Name, n-1, n)
	}
	return workspace.Result{
		Data: struct {
			File    File  `json:"file"`
			Deleted int64 `json:"deleted"`
		}{f, n},
		Actions: []workspace.Receipt{{Tool: "files_delete", OK: true, Ref: f.ref(), Summary: summary}},
	}, nil
}

// done is the result of a write that changed f.
func done(f File, tool, summary string) workspace.Result {
	return workspace.Result{
		Data:    one{File: f},
		Actions: []workspace.Receipt{{Tool: tool, OK: true, Ref: f.ref(), Summary: summary}},
	}
}

// where names a folder for a receipt.
func where(f File) string {
	if f.ID == "" {
		return "the root folder"
	}
	return fmt.Sprintf("folder %q", f.Name)
}
