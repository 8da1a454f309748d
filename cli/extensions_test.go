package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestExtensions(t *testing.T) {
	sh := newShell(t, storetest.SQLiteURL(t))
	ws := sh.workspace()
	const secretURL = "https://bot:s3cret@crm.example.com/mcp?token=t0ken"

	out := sh.ok("extensions", "add", "crm", secretURL)
	if !strings.Contains(out, "crm") || !strings.Contains(out, "crm.example.com") || strings.Contains(out, "s3cret") || strings.Contains(out, "t0ken") {
		t.Fatalf("add printed %q", out)
	}
	sh.ok("extensions", "add", "erp_2", "http://erp.internal:8080/mcp")
	list := sh.ok("extensions", "list")
	if !strings.Contains(list, "crm.example.com") || !strings.Contains(list, "erp.internal:8080") || strings.Contains(list, "s3cret") {
		t.Fatalf("list:\n%s", list)
	}
	var views []cli.ExtensionView
	if err := json.Unmarshal([]byte(sh.ok("extensions", "list", "--json")), &views); err != nil || len(views) != 2 || views[0].Name != "crm" || views[0].Host != "crm.example.com" {
		t.Fatalf("list --json %+v %v", views, err)
	}

	sh.fails(1, "already installed", "extensions", "add", "crm", "https://other.example.com/mcp")
	sh.fails(1, "extension name", "extensions", "add", "Bad-Name", "https://x.example.com/mcp")
	sh.fails(1, "url must", "extensions", "add", "ftp", "ftp://x.example.com/mcp")
	sh.fails(2, "extensions add NAME URL", "extensions", "add", "crm")
	sh.fails(2, "unknown extensions command", "extensions", "install", "crm")

	// Another workspace has its own list.
	other := sh.workspace()
	if out := sh.ok("extensions", "list", "--workspace", other); !strings.Contains(out, "No extensions installed") {
		t.Fatalf("other workspace: %q", out)
	}
	sh.fails(1, "no extension named", "extensions", "remove", "crm", "--workspace", other)

	if out := sh.ok("extensions", "remove", "crm", "--workspace", ws, "--json"); strings.TrimSpace(out) != "{\n  \"name\": \"crm\",\n  \"removed\": true\n}" {
		t.Fatalf("remove --json printed %q", out)
	}
	sh.fails(1, "no extension named", "extensions", "remove", "crm", "--workspace", ws)
	if out := sh.ok("extensions", "list", "--workspace", ws); strings.Contains(out, "crm") || !strings.Contains(out, "erp_2") {
		t.Fatalf("after remove:\n%s", out)
	}
}
