package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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

// TestPublicURL: SOIS_PUBLIC_URL must be an absolute http(s) base URL
// (the card, the OAuth metadata and the console's links are built from
// it); anything else stops the node at start with the variable named,
// and a public URL given to New directly (serve --public-url) is
// checked the same way, before any database is opened.
func TestPublicURL(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "SOIS_PUBLIC_URL" {
				return v
			}
			return ""
		}
	}
	for _, v := range []string{"", "https://node.example.com", "http://127.0.0.1:8080/", "https://node.example.com/sois"} {
		if _, err := node.ConfigFromEnv(env(v)); err != nil {
			t.Errorf("SOIS_PUBLIC_URL=%q refused: %v", v, err)
		}
	}
	for _, v := range []string{"notaurl", "node.example.com:8080", "ftp://node.example.com", "https://", "https://:8080",
		"https://u:p@node.example.com", "https://node.example.com/?x=1", "https://node.example.com/#top", "http://[::1"} {
		_, err := node.ConfigFromEnv(env(v))
		if err == nil || !strings.Contains(err.Error(), "SOIS_PUBLIC_URL") {
			t.Errorf("SOIS_PUBLIC_URL=%q: %v, want a refusal naming the variable", v, err)
		}
		dir := t.TempDir()
		if _, err := node.New(context.Background(), node.Config{PublicURL: v, DatabaseURL: "sqlite://" + filepath.Join(dir, "db"), DataDir: dir}, nil); err == nil {
			t.Errorf("New with PublicURL %q: no error", v)
		} else if _, statErr := os.Stat(filepath.Join(dir, "db")); statErr == nil {
			t.Errorf("New with PublicURL %q opened the database before refusing it", v)
		}
	}
}

// TestBaseURLOfAnEveryInterfaceListen: without a public URL, the URL the
// CLI prints (init's base_url, console links) is the listen address's,
// with 127.0.0.1 for an address that listens on every interface, which
// no client can connect to by name.
func TestBaseURLOfAnEveryInterfaceListen(t *testing.T) {
	for listen, want := range map[string]string{
		"":                "http://127.0.0.1:8080",
		":8080":           "http://127.0.0.1:8080",
		"0.0.0.0:9000":    "http://127.0.0.1:9000",
		"[::]:9000":       "http://127.0.0.1:9000",
		"127.0.0.1:9000":  "http://127.0.0.1:9000",
		"[::1]:9000":      "http://[::1]:9000",
		"node.lan:9000":   "http://node.lan:9000",
		"192.0.2.10:9000": "http://192.0.2.10:9000",
	} {
		if got := (node.Config{Listen: listen}).BaseURL(); got != want {
			t.Errorf("Listen %q: BaseURL %q, want %q", listen, got, want)
		}
	}
	if got := (node.Config{Listen: ":8080", PublicURL: "https://node.example.com/"}).BaseURL(); got != "https://node.example.com" {
		t.Errorf("with a public URL: %q", got)
	}
}

// TestAllowHostsTakeHostPortAndURLs: the allow lists name hosts; an entry
// written with its port, or as a URL, allows its host (it was kept whole,
// matched nothing, and the error still said to list the host there).
func TestAllowHostsTakeHostPortAndURLs(t *testing.T) {
	cfg, err := node.ConfigFromEnv(func(k string) string {
		switch k {
		case "SOIS_WEBHOOK_ALLOW_HOSTS":
			return "127.0.0.1:18812, http://localhost:9000/hook"
		case "SOIS_PEER_ALLOW_HOSTS":
			return "https://crm.test:8443, [::1]:80"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.WebhookAllowHosts, ","); got != "127.0.0.1,localhost" {
		t.Errorf("SOIS_WEBHOOK_ALLOW_HOSTS: %q", got)
	}
	if got := strings.Join(cfg.PeerAllowHosts, ","); got != "crm.test,::1" {
		t.Errorf("SOIS_PEER_ALLOW_HOSTS: %q", got)
	}
}
