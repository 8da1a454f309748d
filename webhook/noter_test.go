package webhook

import (
	"context"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// notingTx is a transaction that counts the deliveries Enqueue tells it of.
type notingTx struct {
	store.Tx
	noted int
}

func (t *notingTx) NoteDelivery() { t.noted++ }

// TestEnqueueNotesPendingDeliveries: a transaction that is a Noter is told
// of a delivery queued to be sent, and not of one stored disabled (its
// URL answered 410), so its owner wakes the dispatcher only for work.
func TestEnqueueNotesPendingDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, Config{})
		if _, err := db.Exec(ctx, `INSERT INTO webhook_disabled_urls (workspace_id, url, delivery_id, at) VALUES (?, ?, ?, ?)`,
			e.ws, "https://gone.example/hook", "d0", int64(1)); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			url  string
			want int
		}{{"https://live.example/hook", 1}, {"https://gone.example/hook", 0}} {
			d, err := NewDelivery(e.ws, "key1", EventCompleted, c.url, Payload{Conversation: map[string]any{"id": "c1"}})
			if err != nil {
				t.Fatal(err)
			}
			var noted int
			err = db.InTx(ctx, func(tx store.Tx) error {
				ntx := &notingTx{Tx: tx}
				err := Enqueue(ctx, ntx, d)
				noted = ntx.noted
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if noted != c.want {
				t.Fatalf("%s: noted %d times, want %d", c.url, noted, c.want)
			}
		}
	})
}
