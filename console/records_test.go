package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

// TestRecordPages: a conversation's receipts link to the folder, file and
// email they name; each record page shows it to its own workspace only,
// and a folder's id under /file/ is 404.
func TestRecordPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		now := e.clock.Now()
		caller := workspace.Caller{WorkspaceID: e.a.ws, MemberID: e.a.owner.ID, Role: workspace.Owner}
		svc := &files.Service{Now: e.clock.Now}
		var folder, file files.File
		var receipts []workspace.Receipt
		const emailID = "em_console_test"
		if err := db.InTx(ctx, func(tx store.Tx) error {
			var mkdir workspace.Tool
			for _, tl := range svc.Tools() {
				if tl.Name == "files_create_folder" {
					mkdir = tl
				}
			}
			res, err := mkdir.Run(ctx, workspace.Env{Tx: tx, Caller: caller, Now: now}, json.RawMessage(`{"name":"Contracts"}`))
			if err != nil {
				return err
			}
			receipts = append(receipts, res.Actions...)
			folder.ID = strings.TrimPrefix(res.Actions[0].Ref, "folder/")
			if file, err = svc.Put(ctx, tx, caller, folder.ID, "acme-nda.txt", "text/plain", strings.NewReader("Mutual NDA with Acme")); err != nil {
				return err
			}
			receipts = append(receipts, workspace.Receipt{Tool: "files_put", OK: true, Ref: "file/" + file.ID, Summary: "Stored acme-nda.txt"})
			if _, err := tx.Exec(ctx, `INSERT INTO emails (workspace_id, id, sender_member_id, from_addr, to_addrs, subject, body, attachments, status, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.a.ws, emailID, e.a.owner.ID, "owner@a.example", `["jane@acme.example"]`,
				"The NDA", "Jane, the NDA is attached.", `[{"file_id":"`+file.ID+`","name":"acme-nda.txt","size":20}]`, "sent", store.Micros(now)); err != nil {
				return err
			}
			receipts = append(receipts, workspace.Receipt{Tool: "email_send", OK: true, Ref: "email/" + emailID, Summary: "Sent The NDA to jane@acme.example"})
			_, err = conversation.Finish(ctx, tx, e.a.ownerConv, 1, conversation.Outcome{Status: conversation.Completed, Reply: "Done.", Actions: receipts, Now: now})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		b := e.signedIn(e.a.owner)
		conv := b.get("/console/conversations/" + e.a.ownerConv)
		for _, href := range []string{"/console/records/folder/" + folder.ID, "/console/records/file/" + file.ID, "/console/records/email/" + emailID} {
			if !strings.Contains(conv.body, `href="`+href+`"`) {
				t.Errorf("the conversation does not link %s:\n%s", href, conv.body)
			}
		}
		for _, c := range []struct{ path, want string }{
			{"/console/records/folder/" + folder.ID, "Contracts"},
			{"/console/records/file/" + file.ID, "acme-nda.txt"},
			{"/console/records/email/" + emailID, "Jane, the NDA is attached."},
		} {
			if p := b.get(c.path); p.status != http.StatusOK || !strings.Contains(p.body, c.want) {
				t.Errorf("%s: %d, want %q:\n%s", c.path, p.status, c.want, p.body)
			}
		}
		if p := b.get("/console/records/email/" + emailID); !strings.Contains(p.body, `href="/console/records/file/`+file.ID+`"`) {
			t.Error("the email page does not link its attachment")
		}
		if p := b.get("/console/records/file/" + folder.ID); p.status != http.StatusNotFound {
			t.Errorf("a folder's id as a file: %d", p.status)
		}
		other := e.signedIn(e.b.owner)
		for _, path := range []string{"/console/records/folder/" + folder.ID, "/console/records/file/" + file.ID, "/console/records/email/" + emailID} {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("another workspace's %s: %d", path, p.status)
			}
		}
	})
}
