package scenario_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/money"
)

// Issue "Hold every money promise under faults", item 2: the real binary
// is killed with SIGKILL while six paid calls are in flight (the fake
// model holds them until the process is dead). Their holds are never
// released: when the turns resume on the restarted node each is settled as
// spent at its reserved amount, in a ledger row marked unconfirmed, and
// GET /api/agent/budget reports it.
func TestCrashedCallsCountAsUnconfirmedSpend(t *testing.T) {
	bin := soisnodeBinary(t)
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			const inFlight = 6
			url := databaseURL(t, db)
			fake := newFake(t, "openai")
			addr := freeAddr(t)
			env := processEnv(t.TempDir(), url, addr, append(fake.env(), "SOIS_TURN_TIMEOUT=8s", "SOIS_RESCUE_AFTER=9s", "SOIS_WORKERS=8")...)
			creds := initNode(t, bin, env)
			sdb := openDB(t, url)
			setTotalBudget(t, sdb, 5*money.Dollar)
			base := "http://" + addr

			var dead atomic.Bool
			arrived := make(chan struct{}, inFlight)
			release := make(chan struct{})
			var releaseOnce sync.Once
			free := func() { releaseOnce.Do(func() { close(release) }) }
			t.Cleanup(free)
			fake.handle(func(n int, r request) reply {
				if !dead.Load() { // the first process: hold the call until it is killed
					arrived <- struct{}{}
					<-release
					return text("This answer never arrives.")
				}
				return text("Done.")
			})

			first := serveChild(t, bin, env, "first serve")
			waitReady(t, first, base)
			ids := make([]string, inFlight)
			for i := range inFlight {
				status, body := apiCall(t, "POST", base+"/api/agent", creds, map[string]any{"message": "Say done"})
				if status != http.StatusAccepted {
					t.Fatalf("POST /api/agent = %d %s", status, body)
				}
				var acc accepted
				if err := json.Unmarshal(body, &acc); err != nil {
					t.Fatal(err)
				}
				ids[i] = acc.ConversationID
			}
			for i := range inFlight {
				select {
				case <-arrived:
				case <-time.After(60 * time.Second):
					t.Fatalf("only %d of %d calls reached the model", i, inFlight)
				}
			}
			dead.Store(true)
			first.kill()
			free()

			// What the dead process held: one hold per call in flight.
			holds := map[string]money.Micro{}
			rows, err := sdb.Query(t.Context(), `SELECT id, amount FROM budget_holds`)
			if err != nil {
				t.Fatal(err)
			}
			var held money.Micro
			for rows.Next() {
				var id string
				var amount money.Micro
				if err := rows.Scan(&id, &amount); err != nil {
					t.Fatal(err)
				}
				holds[id] = amount
				held += amount
			}
			rows.Close()
			if len(holds) != inFlight || held <= 0 {
				t.Fatalf("after the kill: %d holds of $%s, want %d", len(holds), held.Short(), inFlight)
			}
			if n := count(t, sdb, `SELECT count(*) FROM ledger`); n != 0 {
				t.Fatalf("after the kill: %d ledger rows, want none yet", n)
			}

			again := serveChild(t, bin, env, "second serve")
			waitReady(t, again, base)
			var confirmed money.Micro
			for _, id := range ids {
				cv := waitStoppedHTTP(t, base, creds, id, 120*time.Second)
				if cv.Status != "completed" {
					t.Fatalf("conversation %s after the restart: %+v", id, cv)
				}
				rows := ledger(t, sdb, "conversation_id = ? AND unconfirmed = 0", id)
				if len(rows) != 1 {
					t.Fatalf("conversation %s: %d confirmed ledger rows, want the resumed call's", id, len(rows))
				}
				confirmed += rows[0].Cost
				var lost int64
				if err := sdb.QueryRow(t.Context(), `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM ledger WHERE conversation_id = ? AND unconfirmed = 1`, id).Scan(&lost); err != nil {
					t.Fatal(err)
				}
				if cv.CostUSD != (rows[0].Cost+money.Micro(lost)).String() || lost <= 0 {
					t.Errorf("conversation %s cost_usd %s; want the lost call ($%d micro) and the resumed one (%s)", id, cv.CostUSD, lost, rows[0].Cost)
				}
			}

			// Each hold became exactly one unconfirmed row of its amount.
			for id, amount := range holds {
				var cost, reserved int64
				var unconfirmed, n int
				if err := sdb.QueryRow(t.Context(), `SELECT count(*), CAST(COALESCE(MAX(cost), 0) AS BIGINT), CAST(COALESCE(MAX(reserved), 0) AS BIGINT), COALESCE(MAX(unconfirmed), 0) FROM ledger WHERE hold_id = ?`, id).
					Scan(&n, &cost, &reserved, &unconfirmed); err != nil {
					t.Fatal(err)
				}
				if n != 1 || unconfirmed != 1 || money.Micro(cost) != amount || money.Micro(reserved) != amount {
					t.Errorf("hold %s of %s: %d rows, cost %d, reserved %d, unconfirmed %d", id, amount, n, cost, reserved, unconfirmed)
				}
			}
			if n := count(t, sdb, `SELECT count(*) FROM budget_holds`); n != 0 {
				t.Errorf("%d holds left after the turns finished", n)
			}
			status, body := apiCall(t, "GET", base+"/api/agent/budget", creds, nil)
			var b budgetStatus
			if status != http.StatusOK || json.Unmarshal(body, &b) != nil || len(b.Budgets) != 1 {
				t.Fatalf("GET /api/agent/budget = %d %s", status, body)
			}
			if w := b.Budgets[0]; w.Unconfirmed != held.Short() || w.SpentUSD != (held+confirmed).Short() || w.ReservedUSD != "0.00" {
				t.Errorf("budget: %+v; want $%s unconfirmed of $%s spent, nothing reserved", w, held.Short(), (held + confirmed).Short())
			}
			again.stop(t)
		})
	}
}
