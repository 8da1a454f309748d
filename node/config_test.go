package node_test

import (
	"testing"
	"time"

	"github.com/soisnode/soisnode/node"
)

// TestShutdownGrace: SOIS_SHUTDOWN_GRACE sets how long SIGTERM waits for
// the work in hand; unset it is 30 s, and a value that is not a positive
// duration is refused.
func TestShutdownGrace(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 30 * time.Second, "5s": 5 * time.Second, "2m": 2 * time.Minute} {
		cfg, err := node.ConfigFromEnv(func(k string) string {
			if k == "SOIS_SHUTDOWN_GRACE" {
				return v
			}
			return ""
		})
		if err != nil || cfg.ShutdownWaitOrDefault() != want {
			t.Errorf("SOIS_SHUTDOWN_GRACE=%q: %v (%v), want %v", v, cfg.ShutdownWaitOrDefault(), err, want)
		}
	}
	for _, v := range []string{"soon", "-1s", "0"} {
		if _, err := node.ConfigFromEnv(func(k string) string {
			if k == "SOIS_SHUTDOWN_GRACE" {
				return v
			}
			return ""
		}); err == nil {
			t.Errorf("SOIS_SHUTDOWN_GRACE=%q accepted", v)
		}
	}
}
