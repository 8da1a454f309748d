package scenario_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/soisnode/soisnode/money"
)

// Issue 11, graceful stop of turns: SIGTERM with three turns in hand — one
// blocked in a model call past the grace period (local lane), one whose
// model call answers during the grace period (it goes on to finish), one
// waiting for a worker (River's job; it runs when the second ends and is
// blocked like the first) — exits 0, fails none of them, finishes the
// second, and hands the others back at once: the restarted node finishes
// each exactly once although SOIS_RESCUE_AFTER is half an hour. A call cut
// off at the end of the grace period is counted as unconfirmed spend, as
// after a crash.
func TestSIGTERMHandsBackRunningTurns(t *testing.T) {
	bin := soisnodeBinary(t)
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			const (
				msgCut    = "Say done (cut off)"
				msgTool   = "Create Jane Doe (tool)"
				msgQueued = "Say done (queued)"
			)
			url := databaseURL(t, db)
			fake := newFake(t, "openai")
			addr := freeAddr(t)
			env := processEnv(t.TempDir(), url, addr, append(fake.env(),
				// Two workers: the first two turns run, the third waits. A
				// turn left to River's rescue would not resume within the test.
				"SOIS_WORKERS=2", "SOIS_RESCUE_AFTER=30m", "SOIS_SHUTDOWN_GRACE=15s")...)
			creds := initNode(t, bin, env)
			sdb := openDB(t, url)
			setTotalBudget(t, sdb, 5*money.Dollar)
			base := "http://" + addr

			create := call{"contacts_create", map[string]any{"name": "Jane Doe", "email": "jane@acme.com"}}
			var restarted atomic.Bool
			cutArrived, toolArrived := make(chan struct{}, 1), make(chan struct{}, 1)
			releaseTool, releaseCut := make(chan struct{}), make(chan struct{})
			var onceTool, onceCut sync.Once
			freeTool := func() { onceTool.Do(func() { close(releaseTool) }) }
			freeCut := func() { onceCut.Do(func() { close(releaseCut) }) }
			t.Cleanup(freeTool) // before the fake closes: held calls return
			t.Cleanup(freeCut)
			signal := func(ch chan struct{}) {
				select {
				case ch <- struct{}{}:
				default: // a repeat: the checks below catch it
				}
			}
			fake.handle(func(n int, r request) reply {
				first := r.userTexts()[0]
				switch {
				case len(r.results()) > 0:
					return text("Created.")
				case restarted.Load():
					return text("Done.")
				case first == msgTool: // answered during the grace period
					signal(toolArrived)
					<-releaseTool
					return calls(create)
				}
				signal(cutArrived) // msgCut, or msgQueued once it runs
				<-releaseCut       // past the grace period
				return text("This answer never arrives.")
			})

			first := serveChild(t, bin, env, "first serve")
			waitReady(t, first, base)
			ids := map[string]string{}
			for _, m := range []string{msgCut, msgTool, msgQueued} {
				status, body := apiCall(t, "POST", base+"/api/agent", creds, map[string]any{"message": m})
				var acc accepted
				if status != http.StatusAccepted || json.Unmarshal(body, &acc) != nil {
					t.Fatalf("POST /api/agent = %d %s", status, body)
				}
				ids[m] = acc.ConversationID
			}
			for _, ch := range []chan struct{}{cutArrived, toolArrived} {
				select {
				case <-ch:
				case <-time.After(60 * time.Second):
					t.Fatal("the two running turns did not both reach the model")
				}
			}

			if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			waitRefused(t, first, base)
			freeTool() // answers within the grace period
			if code := exitCode(t, first, 90*time.Second); code != 0 {
				t.Fatalf("serve exited %d after SIGTERM, want 0", code)
			}
			restarted.Store(true)
			freeCut()
			before := fake.calls()

			// Nothing failed; the jobs of the two unfinished turns are
			// available now, not left for River's rescue; the turn answered
			// during the grace period finished, its contact created once.
			if n := count(t, sdb, `SELECT count(*) FROM turns WHERE status NOT IN ('queued', 'running') AND conversation_id <> ?`, ids[msgTool]); n != 0 {
				t.Fatalf("%d turns ended by the stop, want none", n)
			}
			var status string
			if err := sdb.QueryRow(t.Context(), `SELECT status FROM turns WHERE conversation_id = ?`, ids[msgTool]).Scan(&status); err != nil || status != "completed" {
				t.Fatalf("the turn answered during the grace period is %s (%v), want completed", status, err)
			}
			if all, avail := count(t, sdb, `SELECT count(*) FROM river_job WHERE kind = 'agent_turn'`),
				count(t, sdb, `SELECT count(*) FROM river_job WHERE kind = 'agent_turn' AND state = 'available'`); all != 2 || avail != 2 {
				t.Fatalf("after the stop %d of %d turn jobs are available, want 2 of 2", avail, all)
			}
			if rows := ledger(t, sdb, "conversation_id = ?", ids[msgTool]); len(rows) != 2 {
				t.Fatalf("the turn finished during the grace period has %d ledger rows, want 2", len(rows))
			}
			var held money.Micro
			if err := sdb.QueryRow(t.Context(), `SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM budget_holds WHERE conversation_id = ?`, ids[msgCut]).Scan(&held); err != nil {
				t.Fatal(err)
			}
			if held <= 0 || count(t, sdb, `SELECT count(*) FROM budget_holds WHERE conversation_id = ?`, ids[msgCut]) != 1 {
				t.Fatalf("after the stop the cut-off call holds $%s; want its one hold", held.Short())
			}
			if n := count(t, sdb, `SELECT count(*) FROM ledger WHERE conversation_id <> ?`, ids[msgTool]); n != 0 {
				t.Fatalf("%d ledger rows of the cut-off turns before they resume, want none", n)
			}

			again := serveChild(t, bin, env, "second serve")
			waitReady(t, again, base)
			for m, want := range map[string]string{msgCut: "Done.", msgQueued: "Done."} {
				cv := waitStoppedHTTP(t, base, creds, ids[m], 90*time.Second)
				if cv.Status != "completed" || cv.Reply != want {
					t.Fatalf("%q after the restart: %s %q, want completed %q", m, cv.Status, cv.Reply, want)
				}
				if m == msgCut {
					confirmed := ledger(t, sdb, "conversation_id = ? AND unconfirmed = 0", ids[m])
					lost := ledger(t, sdb, "conversation_id = ? AND unconfirmed = 1", ids[m])
					if len(confirmed) != 1 || len(lost) != 1 || lost[0].Cost != held || cv.CostUSD != (held+confirmed[0].Cost).String() {
						t.Errorf("cut-off turn: %d confirmed and %v unconfirmed rows, cost_usd %s; want the hold of $%s counted unconfirmed, once", len(confirmed), lost, cv.CostUSD, held.Short())
					}
				}
			}
			// Exactly once: one model call for each handed-back turn after
			// the restart and none for the finished one, one contact, no
			// hold left.
			per := map[string]int{}
			for _, r := range fake.requests()[before:] {
				per[r.userTexts()[0]]++
			}
			for m, want := range map[string]int{msgCut: 1, msgTool: 0, msgQueued: 1} {
				if per[m] != want {
					t.Errorf("%q: %d model calls after the restart, want %d", m, per[m], want)
				}
			}
			if cv := waitStoppedHTTP(t, base, creds, ids[msgTool], 10*time.Second); cv.Status != "completed" || cv.Reply != "Created." {
				t.Errorf("the turn finished during the grace period: %s %q", cv.Status, cv.Reply)
			}
			if n := count(t, sdb, `SELECT count(*) FROM contacts WHERE email = 'jane@acme.com'`); n != 1 {
				t.Errorf("%d contacts created, want 1", n)
			}
			if n := count(t, sdb, `SELECT count(*) FROM budget_holds`); n != 0 {
				t.Errorf("%d holds left after the turns finished", n)
			}
			again.stop(t)
		})
	}
}
