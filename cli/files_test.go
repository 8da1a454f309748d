package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

func TestFilesPut(t *testing.T) {
	url := storetest.SQLiteURL(t)
	sh := newShell(t, url)
	ws := sh.workspace()
	path := filepath.Join(t.TempDir(), "report.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	id := strings.TrimSpace(sh.ok("files", "put", path))
	db := openStore(t, url)
	ctx := context.Background()
	members, err := access.ListMembers(ctx, db, ws)
	if err != nil || len(members) != 1 {
		t.Fatal(members, err)
	}
	owner := workspace.Caller{WorkspaceID: ws, MemberID: members[0].ID, Role: workspace.Owner}
	f, data, err := (&files.Service{}).Open(ctx, db, owner, id)
	if err != nil || string(data) != "a,b\n1,2\n" || f.Name != "report.csv" || f.ContentType != "text/csv; charset=utf-8" || f.CreatedBy != members[0].ID {
		t.Fatalf("stored %+v %q %v", f, data, err)
	}

	var view httpapi.FileView
	if err := json.Unmarshal([]byte(sh.ok("files", "put", path, "--name", "copy.csv", "--json")), &view); err != nil || view.Name != "copy.csv" || view.ID == "" || view.Size != 8 {
		t.Fatalf("--json %+v %v", view, err)
	}
	sh.stdin = "from stdin"
	sh.ok("files", "put", "-", "--name", "stdin.txt")
	sh.fails(2, "--name is required", "files", "put", "-")

	// As another member: a viewer may not write.
	sh.ok("members", "add", "--name", "Vera", "--email", "vera@example.com", "--role", "viewer")
	sh.fails(1, "files:write", "files", "put", path, "--name", "v.csv", "--member", "vera@example.com")
	sh.ok("members", "add", "--name", "Max", "--email", "max@example.com", "--role", "member")
	sh.ok("files", "put", path, "--name", "m.csv", "--member", "max@example.com")

	sh.fails(1, "already exists", "files", "put", path)
	sh.fails(1, "no folder", "files", "put", path, "--name", "x.csv", "--folder", "01JNOSUCHFOLDER00000000000")
	sh.fails(1, "no such file", "files", "put", filepath.Join(t.TempDir(), "missing.txt"))
	sh.fails(2, "files put PATH", "files", "put")
	sh.fails(2, "files put PATH", "files", "get", id)
	sh.env["SOIS_MAX_FILE_BYTES"] = "4"
	sh.fails(1, "larger than the limit", "files", "put", path, "--name", "big.csv")
}
