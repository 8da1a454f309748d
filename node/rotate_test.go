package node_test

import (
	"context"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestConcurrentSecretRotationsLeaveOneCurrent rotates one key's webhook
// secret from several goroutines at once: every rotation succeeds, and the
// key ends with exactly one current secret (on PostgreSQL, without the row
// lock two transactions could each leave their new secret current).
func TestConcurrentSecretRotationsLeaveOneCurrent(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n := testbed.Start(t, node.Config{DatabaseURL: url, DataDir: t.TempDir(), Provider: &testbed.Script{Step: testbed.Echo}})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			ctx := context.Background()
			const rotations = 32
			var wg sync.WaitGroup
			errc := make(chan error, rotations)
			for range rotations {
				wg.Go(func() {
					_, _, err := n.RotateWebhookSecret(ctx, c.WorkspaceID, c.KeyID)
					errc <- err
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Errorf("rotate: %v", err)
				}
			}
			var current int
			if err := n.DB().QueryRow(ctx, `SELECT COUNT(*) FROM webhook_secrets WHERE key_id = ? AND expires_at = 0`, c.KeyID).Scan(&current); err != nil {
				t.Fatal(err)
			}
			if current != 1 {
				t.Fatalf("%d current secrets after %d concurrent rotations, want 1", current, rotations)
			}
		})
	}
}
