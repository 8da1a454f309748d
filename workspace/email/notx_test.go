package email

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestSendHoldsNoTransaction: while the relay is slow to accept a message,
// the database stays free for other work (on SQLite, a transaction held
// during delivery would block the whole node).
func TestSendHoldsNoTransaction(t *testing.T) {
	db := storetest.SQLite(t)
	r := startRelay(t, "", "")
	r.hold, r.inData = make(chan struct{}), make(chan struct{}, 1)
	e := newEnv(t, db, New(relayConfig(r)))
	done := make(chan error, 1)
	go func() {
		_, err := e.try(e.a, "email_send", map[string]any{"to": []string{"con_jane"}, "subject": "Slow", "body": "b"})
		done <- err
	}()
	<-r.inData // the email is in the middle of delivery
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := db.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ('ws_other', 'O', 1)`)
		return err
	})
	if err != nil {
		close(r.hold)
	}
	if err != nil {
		t.Fatalf("a write during delivery: %v", err)
	}
	close(r.hold)
	if err := <-done; err != nil {
		t.Fatalf("send: %v", err)
	}
	if status, _, _ := e.stored(lastEmailID(t, db)); status != StatusSent {
		t.Fatalf("status %q", status)
	}
}

func lastEmailID(t *testing.T, db *store.DB) string {
	var id string
	if err := db.QueryRow(context.Background(), `SELECT id FROM emails ORDER BY id DESC LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
