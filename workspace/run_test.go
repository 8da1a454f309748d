package workspace_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

type nameArgs struct {
	Name string `json:"name" schema:"required"`
	Fail bool   `json:"fail"`
}

// TestRunChoosesTheTransaction: Registry.Run runs a tool in one
// transaction with its record (a record that fails rolls the tool's
// writes back; a tool that fails has its writes rolled back and its error
// recorded), and an OpenWorld tool outside any transaction, recorded
// after it.
func TestRunChoosesTheTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var sawTx []bool
		write := func(ctx context.Context, env workspace.Env, a nameArgs) (workspace.Result, error) {
			sawTx = append(sawTx, env.Tx != nil)
			tx := env.Tx
			err := error(nil)
			if tx != nil {
				_, err = tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 0)`, store.NewID(), a.Name)
			} else {
				err = env.DB.InTx(ctx, func(tx store.Tx) error {
					_, err := tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 0)`, store.NewID(), a.Name)
					return err
				})
			}
			if err != nil {
				return workspace.Result{}, err
			}
			if a.Fail {
				return workspace.Result{}, errs.E(errs.Invalid, "refused after writing")
			}
			return workspace.Result{Data: a.Name}, nil
		}
		r := workspace.NewRegistry(db, nil)
		r.Add(workspace.Define(workspace.Spec[nameArgs]{Name: "ws_write", Scope: "ws:write", Effect: workspace.Write, Run: write}),
			workspace.Define(workspace.Spec[nameArgs]{Name: "ws_send", Scope: "ws:write", Effect: workspace.Write, OpenWorld: true, Run: write}))
		owner := workspace.Caller{WorkspaceID: "w", Role: workspace.Owner}
		count := func(name string) int {
			var n int
			if err := db.QueryRow(ctx, `SELECT count(*) FROM workspaces WHERE name = ?`, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var recorded []string
		record := func(fail bool) workspace.Record {
			return func(ctx context.Context, tx store.Tx, res workspace.Result, callErr error) error {
				if tx == nil {
					t.Fatal("a record without a transaction")
				}
				if callErr != nil {
					recorded = append(recorded, "error: "+errs.Message(callErr))
				} else {
					recorded = append(recorded, "ok: "+res.Data.(string))
				}
				if fail {
					return errors.New("record failed")
				}
				return nil
			}
		}

		if _, err := r.Run(ctx, owner, "ws_write", json.RawMessage(`{"name":"a"}`), record(false)); err != nil || count("a") != 1 {
			t.Fatalf("a call recorded: %v, %d rows", err, count("a"))
		}
		_, err := r.Run(ctx, owner, "ws_write", json.RawMessage(`{"name":"b"}`), record(true))
		var rec *workspace.RecordError
		if !errors.As(err, &rec) || count("b") != 0 {
			t.Fatalf("a record that failed: %v, %d rows (want a RecordError and the write rolled back)", err, count("b"))
		}
		if _, err := r.Run(ctx, owner, "ws_write", json.RawMessage(`{"name":"c","fail":true}`), record(false)); !errs.Is(err, errs.Invalid) || count("c") != 0 {
			t.Fatalf("a call that failed: %v, %d rows (want its error and its write rolled back)", err, count("c"))
		}
		if _, err := r.Run(ctx, owner, "ws_send", json.RawMessage(`{"name":"d"}`), record(true)); !errors.As(err, &rec) || count("d") != 1 {
			t.Fatalf("an open-world call whose record failed: %v, %d rows (its effect stays)", err, count("d"))
		}
		if _, err := r.Run(ctx, owner, "ws_write", json.RawMessage(`{}`), record(false)); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad arguments: %v", err)
		}
		wantTx := []bool{true, true, true, false}
		if len(sawTx) != len(wantTx) {
			t.Fatalf("ran %d times, want %d", len(sawTx), len(wantTx))
		}
		for i := range wantTx {
			if sawTx[i] != wantTx[i] {
				t.Errorf("call %d ran with a transaction: %v, want %v", i, sawTx[i], wantTx[i])
			}
		}
		want := []string{"ok: a", "ok: b", "error: refused after writing", "ok: d", "error: "}
		if len(recorded) != len(want) {
			t.Fatalf("recorded %q", recorded)
		}
		for i := range want {
			if i < 4 && recorded[i] != want[i] || i == 4 && len(recorded[i]) <= len(want[i]) {
				t.Errorf("record %d: %q, want %q", i, recorded[i], want[i])
			}
		}
	})
}
