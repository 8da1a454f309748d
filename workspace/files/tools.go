package files

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Tools returns the files_* workspace tools (docs/tools.md), each
// declared once.
func (s *Service) Tools() []workspace.Tool {
	return []workspace.Tool{
		workspace.Define(workspace.Spec[searchArgs]{
			Name:        "files_search",
			Description: "Find files and folders whose name contains the query.",
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.search,
		}),
		workspace.Define(workspace.Spec[listArgs]{
			Name:        "files_list",
			Description: "List a folder's files and subfolders (folders first).",
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.list,
		}),
		workspace.Define(workspace.Spec[getArgs]{
			Name:        "files_get",
			Description: "Get a file or folder; include_content returns a text file's content (at most 64 KiB).",
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.get,
		}),
		workspace.Define(workspace.Spec[createFolderArgs]{
			Name:        "files_create_folder",
			Description: "Create a folder.",
			Scope:       ScopeWrite, Effect: workspace.Write, Run: s.createFolder,
		}),
		workspace.Define(workspace.Spec[moveArgs]{
			Name:        "files_move",
			Description: "Move a file or folder into another folder.",
			Scope:       ScopeWrite, Effect: workspace.Write, Idempotent: true, Run: s.move,
		}),
		workspace.Define(workspace.Spec[renameArgs]{
			Name:        "files_rename",
			Description: "Rename a file or folder.",
			Scope:       ScopeWrite, Effect: workspace.Write, Idempotent: true, Run: s.rename,
		}),
		workspace.Define(workspace.Spec[idArgs]{
			Name:        "files_delete",
			Description: "Delete a file, or a folder with everything in it.",
			Scope:       ScopeWrite, Effect: workspace.Destroy, Idempotent: true, Run: s.delete,
		}),
	}
}

// The tools' arguments (their schemas are generated from these).
type (
	pageArgs struct {
		Limit  int    `json:"limit" schema:"minimum=1,maximum=100" jsonschema:"Page size, default 20."`
		Cursor string `json:"cursor" jsonschema:"next_cursor of the previous page."`
	}
	searchArgs struct {
		Query string `json:"query" jsonschema:"Text the name contains (any case)."`
		pageArgs
	}
	listArgs struct {
		FolderID string `json:"folder_id" jsonschema:"Folder to list; empty for the root folder."`
		pageArgs
	}
	getArgs struct {
		ID             string `json:"id" schema:"required,minLength=1"`
		IncludeContent bool   `json:"include_content" jsonschema:"Also return the text of a text or JSON file of at most 64 KiB."`
	}
	createFolderArgs struct {
		Name     string `json:"name" schema:"required,minLength=1,maxLength=255"`
		ParentID string `json:"parent_id" jsonschema:"Folder to create it in; empty for the root folder."`
	}
	moveArgs struct {
		ID       string `json:"id" schema:"required,minLength=1"`
		FolderID string `json:"folder_id" schema:"required" jsonschema:"Destination folder; empty for the root folder."`
	}
	renameArgs struct {
		ID   string `json:"id" schema:"required,minLength=1"`
		Name string `json:"name" schema:"required,minLength=1,maxLength=255"`
	}
	idArgs struct {
		ID string `json:"id" schema:"required,minLength=1"`
	}
)

// page is the data shape of search and list results.
type page struct {
	Files      []File `json:"files"`
	NextCursor string `json:"next_cursor"`
}

// one is the data shape of single-entry results.
type one struct {
	File File `json:"file"`
}

func (s *Service) search(ctx context.Context, env workspace.Env, a searchArgs) (workspace.Result, error) {
	fs, next, err := list(ctx, env.Tx, listQuery{Workspace: env.Caller.WorkspaceID, NameLike: a.Query, Limit: a.Limit, Cursor: a.Cursor})
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: page{Files: fs, NextCursor: next}}, nil
}

func (s *Service) list(ctx context.Context, env workspace.Env, a listArgs) (workspace.Result, error) {
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

func (s *Service) get(ctx context.Context, env workspace.Env, a getArgs) (workspace.Result, error) {
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

func (s *Service) createFolder(ctx context.Context, env workspace.Env, a createFolderArgs) (workspace.Result, error) {
	f, parent, err := s.newFolder(ctx, env.Tx, env.Caller, a.ParentID, a.Name, env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	return done(f, "files_create_folder", fmt.Sprintf("Created folder %q in %s", f.Name, where(parent))), nil
}

// CreateFolder makes a folder name in parentID ("" for the root) as the
// caller, in tx: files_create_folder without the tool call and without
// its permission check (the demo workspace's seed, package demo).
func (s *Service) CreateFolder(ctx context.Context, tx store.Tx, caller workspace.Caller, parentID, name string) (File, error) {
	f, _, err := s.newFolder(ctx, tx, caller, parentID, name, s.now())
	return f, err
}

// newFolder writes a folder and returns it with its parent.
func (s *Service) newFolder(ctx context.Context, tx store.Querier, caller workspace.Caller, parentID, name string, now time.Time) (File, File, error) {
	if err := ValidateName(name); err != nil {
		return File{}, File{}, err
	}
	ws := caller.WorkspaceID
	parent, err := folder(ctx, tx, ws, parentID)
	if err != nil {
		return File{}, File{}, err
	}
	if err := nameFree(ctx, tx, ws, parentID, name, ""); err != nil {
		return File{}, File{}, err
	}
	now = now.UTC()
	f := trimTime(File{
		ID: store.NewID(), Name: name, Kind: KindFolder, FolderID: parentID,
		CreatedAt: now, UpdatedAt: now, WorkspaceID: ws, CreatedBy: caller.MemberID,
	})
	if err := insert(ctx, tx, f, nil); err != nil {
		return File{}, File{}, err
	}
	return f, parent, nil
}

func (s *Service) move(ctx context.Context, env workspace.Env, a moveArgs) (workspace.Result, error) {
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

func (s *Service) rename(ctx context.Context, env workspace.Env, a renameArgs) (workspace.Result, error) {
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

func (s *Service) delete(ctx context.Context, env workspace.Env, a idArgs) (workspace.Result, error) {
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
