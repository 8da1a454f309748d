package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace"
)

// TestRolledBackFinishLeavesNothing: a turn's finishing transaction that
// rolls back (its webhook delivery cannot be written: on SQLite the
// insert fails, on PostgreSQL the commit, after the delivery was queued)
// leaves nothing of what the finish hook noted for after its commit.
func TestRolledBackFinishLeavesNothing(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: &testbed.Script{Step: testbed.Echo}})
			ctx := context.Background()
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{ResponseURL: "https://hooks.example.com/x"})
			fail := []string{`CREATE TRIGGER fail_deliveries BEFORE INSERT ON deliveries BEGIN SELECT RAISE(ABORT, 'test: the finish rolls back'); END`}
			if n.DB().Dialect() == store.Postgres {
				fail = []string{
					`CREATE FUNCTION fail_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test: the finish rolls back'; END $$`,
					`CREATE CONSTRAINT TRIGGER fail_deliveries AFTER INSERT ON deliveries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_deliveries()`,
				}
			}
			for _, q := range fail {
				if _, err := n.DB().Exec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			r := n.Do("POST", "/api/agent", c, map[string]any{"message": "hello"})
			var accepted struct {
				ConversationID string `json:"conversation_id"`
			}
			r.JSON(t, &accepted)
			if r.Status != 202 || accepted.ConversationID == "" {
				t.Fatalf("send: %d %s", r.Status, r.Body)
			}
			// The model's answer is recorded on its own once the finish
			// that held it rolled back (and the outcome is tried again).
			poll.Wait(t, 30*time.Second, "the first finish to roll back", func() bool {
				var steps int
				_ = n.DB().QueryRow(ctx, `SELECT count(*) FROM turn_steps WHERE conversation_id = ?`, accepted.ConversationID).Scan(&steps)
				return steps > 0
			})
			if !poll.Until(10*time.Second, func() bool { return n.PendingFinishes() == 0 }) {
				t.Fatalf("%d notes of rolled-back finishes left", n.PendingFinishes())
			}
			var status string
			if err := n.DB().QueryRow(ctx, `SELECT status FROM turns WHERE conversation_id = ?`, accepted.ConversationID).Scan(&status); err != nil || status != "running" {
				t.Fatalf("turn %q (%v), want it still running: no finish committed", status, err)
			}
		})
	}
}
