package store_test

import (
	"context"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestTranslate(t *testing.T) {
	for _, c := range []struct {
		d        store.Dialect
		in, want string
	}{
		{store.SQLite, "CREATE TABLE t (b BLOB, PRIMARY KEY (a, b)) WITHOUT ROWID;", "CREATE TABLE t (b BLOB, PRIMARY KEY (a, b)) WITHOUT ROWID;"},
		{store.Postgres, "CREATE TABLE t (b BLOB, PRIMARY KEY (a, b)) WITHOUT ROWID;", "CREATE TABLE t (b BYTEA, PRIMARY KEY (a, b));"},
		{store.Postgres, "SELECT 'WITHOUT ROWID'", "SELECT 'WITHOUT ROWID'"},
	} {
		if got := store.Translate(c.d, c.in); got != c.want {
			t.Errorf("translate(%v, %q) = %q, want %q", c.d, c.in, got, c.want)
		}
	}
}

// TestMigrateA2ATasksKeyed runs migration 0035 over the rows the schema
// before it held: tasks, their answers' messageIds, push configs and the
// turns, on both databases. Every row is kept; each task's first and
// latest turn name it; the tables lost their foreign key to a2a_tasks(id)
// and a task is its key's.
func TestMigrateA2ATasksKeyed(t *testing.T) {
	for dialect, url := range storetest.URLs(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateTo(ctx, "0034_budget_holds_indexes"); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`INSERT INTO workspaces (id, name, created_at) VALUES ('w1', 'Acme', 1)`,
				`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES ('m1', 'w1', 'Ann', 'ann@example.com', 'owner', 1)`,
				`INSERT INTO api_keys (id, workspace_id, hash, created_at) VALUES ('k1', 'w1', 'h1', 1)`,
				`INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, created_at, updated_at) VALUES ('c1', 'w1', 'k1', 'm1', 'completed', 4, 1, 1)`,
				`INSERT INTO turns (conversation_id, turn, message, status, created_at) VALUES ('c1', 1, 'a', 'input_required', 1), ('c1', 2, 'b', 'completed', 2), ('c1', 3, 'c', 'completed', 3), ('c1', 4, 'rest', 'completed', 4)`,
				// Task A: opened at turn 1, answered at turn 2 (its answer's
				// messageId in a2a_messages); task B: turn 3 alone, from before
				// migration 0032 (no message_id on the row). Turn 4 came over REST.
				`INSERT INTO a2a_tasks (id, workspace_id, key_id, conversation_id, first_turn, turn, created_at, updated_at, message_id, request_hash) VALUES ('tA', 'w1', 'k1', 'c1', 1, 2, 1, 2, 'mA', 'hA')`,
				`INSERT INTO a2a_tasks (id, workspace_id, key_id, conversation_id, first_turn, turn, created_at, updated_at) VALUES ('tB', 'w1', 'k1', 'c1', 3, 3, 3, 3)`,
				`INSERT INTO a2a_messages (key_id, message_id, task_id, request_hash, created_at) VALUES ('k1', 'mA2', 'tA', 'hA2', 2), ('k1', 'mB', 'tB', 'hB', 3)`,
				`INSERT INTO a2a_push_configs (task_id, id, url, created_at, secrets_enc) VALUES ('tA', 'p1', 'https://example.com/hook', 1, NULL)`,
			} {
				if _, err := db.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			count := func(q string, args ...any) int {
				t.Helper()
				var n int
				if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			for _, c := range []struct {
				q    string
				want int
			}{
				{`SELECT count(*) FROM a2a_tasks WHERE key_id = 'k1'`, 2},
				{`SELECT count(*) FROM a2a_tasks WHERE key_id = 'k1' AND id = 'tA' AND first_turn = 1 AND turn = 2 AND message_id = 'mA' AND request_hash = 'hA'`, 1},
				{`SELECT count(*) FROM a2a_messages WHERE key_id = 'k1'`, 2},
				{`SELECT count(*) FROM a2a_push_configs WHERE task_id = 'tA' AND url = 'https://example.com/hook'`, 1},
				{`SELECT count(*) FROM turns WHERE conversation_id = 'c1' AND task_id = 'tA'`, 2},
				{`SELECT count(*) FROM turns WHERE conversation_id = 'c1' AND turn = 3 AND task_id = 'tB'`, 1},
				{`SELECT count(*) FROM turns WHERE conversation_id = 'c1' AND turn = 4 AND task_id IS NULL`, 1},
			} {
				if got := count(c.q); got != c.want {
					t.Errorf("%s = %d, want %d", c.q, got, c.want)
				}
			}
			// The messageId claim stays unique per key, and the push
			// configs table takes rows again (its foreign key to
			// a2a_tasks(id), no longer unique alone, is gone).
			if _, err := db.Exec(ctx, `INSERT INTO a2a_tasks (id, workspace_id, key_id, conversation_id, first_turn, turn, created_at, updated_at, message_id) VALUES ('tC', 'w1', 'k1', 'c1', 4, 4, 4, 4, 'mA')`); !store.IsUniqueViolation(err) {
				t.Errorf("a second task with messageId mA: %v, want a unique violation", err)
			}
			if _, err := db.Exec(ctx, `INSERT INTO a2a_push_configs (task_id, id, url, created_at) VALUES ('tB', 'p2', 'https://example.com/b', 5)`); err != nil {
				t.Errorf("push config after the migration: %v", err)
			}
		})
	}
}
