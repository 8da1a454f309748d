package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

func runFiles(ctx context.Context, e *Env, args []string) error {
	const use = "files put PATH [--folder ID] [--name N] [--member ID|EMAIL] [--workspace ID] [--json]"
	if len(args) == 0 || args[0] != "put" {
		return usagef(use)
	}
	fs := newFlags("files put", e)
	wsFlag := workspaceFlag(fs)
	member := fs.String("member", "", "member id or email the file is stored as (default: the workspace's first owner)")
	folder := fs.String("folder", "", "folder id (default: the root folder)")
	name := fs.String("name", "", "the file's name in the workspace (default: PATH's base name)")
	asJSON := fs.Bool("json", false, "print the file's metadata as JSON instead of its id")
	pos, err := e.parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef(use)
	}
	path := pos[0]
	if *name == "" {
		if path == "-" {
			return usagef("--name is required when reading the file from standard input")
		}
		*name = filepath.Base(path)
	}
	var src io.Reader
	if path == "-" {
		if e.Stdin == nil {
			return usagef("no standard input")
		}
		src = e.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	}
	cfg, err := config(e)
	if err != nil {
		return err
	}
	db, ws, err := openWorkspace(ctx, e, *wsFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := actingMember(ctx, db, ws, *member)
	if err != nil {
		return err
	}
	svc := &files.Service{MaxSize: cfg.MaxFileSize, Now: e.Now}
	caller := workspace.Caller{WorkspaceID: ws, MemberID: m.ID, Role: m.Role}
	var f files.File
	err = db.InTx(ctx, func(tx store.Tx) error {
		f, err = svc.Put(ctx, tx, caller, *folder, *name, "", src)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.Stdout, httpapi.ViewFile(f))
	}
	fmt.Fprintln(e.Stdout, f.ID)
	return nil
}

// actingMember resolves --member (an id or email), or the workspace's first
// owner when it is empty.
func actingMember(ctx context.Context, q store.Querier, ws, idOrEmail string) (access.Member, error) {
	if idOrEmail != "" {
		return access.GetMember(ctx, q, ws, idOrEmail)
	}
	ms, err := access.ListMembers(ctx, q, ws)
	if err != nil {
		return access.Member{}, err
	}
	for _, m := range ms {
		if m.Role == workspace.Owner {
			return m, nil
		}
	}
	return access.Member{}, usagef("the workspace has no owner; pass --member")
}
