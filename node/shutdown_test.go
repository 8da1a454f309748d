package node_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestShutdownFinishesRunningTurn: a turn waiting on its model call when
// Shutdown begins is let finish and recorded within the grace period,
// while the node already refuses new connections.
func TestShutdownFinishesRunningTurn(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			gate := make(chan struct{})
			script := &testbed.Script{Step: testbed.Echo, Gate: gate}
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: script})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			var acc struct {
				ConversationID string `json:"conversation_id"`
			}
			n.Do("POST", "/api/agent", c, map[string]any{"message": "hello"}).JSON(t, &acc)
			deadline := time.Now().Add(30 * time.Second)
			for script.Calls() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the turn never called the model")
				}
				select {
				case <-time.After(10 * time.Millisecond):
				case <-t.Context().Done():
				}
			}

			stopped := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				stopped <- n.Shutdown(ctx)
			}()
			for {
				conn, err := net.Dial("tcp", n.Addr())
				if err != nil {
					break // no new connections: the stop has begun
				}
				conn.Close()
				if time.Now().After(deadline) {
					t.Fatal("the node still accepts connections")
				}
				select {
				case <-time.After(10 * time.Millisecond):
				case err := <-stopped:
					t.Fatalf("Shutdown returned (%v) with a turn waiting on its model", err)
				}
			}
			close(gate) // the model answers
			if err := <-stopped; err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			db, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var status, reply string
			if err := db.QueryRow(context.Background(), `SELECT status, reply FROM turns WHERE conversation_id = ?`, acc.ConversationID).Scan(&status, &reply); err != nil {
				t.Fatal(err)
			}
			if status != "completed" || reply != "echo: hello" {
				t.Fatalf("after Shutdown the turn is %s %q, want completed", status, reply)
			}
		})
	}
}
