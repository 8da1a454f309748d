package node_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// errorLog keeps the messages of every error-level log record.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l *errorLog) WithGroup(string) slog.Handler                 { return l }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	l.msgs = append(l.msgs, msg)
	return nil
}

func (l *errorLog) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}

// rawPost writes a complete POST /api/agent on a fresh connection, then
// half-closes it (CloseWrite) or closes it.
func rawPost(t *testing.T, addr string, c testbed.Creds, message string, halfClose bool) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"message":%q}`, message)
	req := fmt.Sprintf("POST /api/agent HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nX-Api-Key: %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, c.Token, c.APIKey, len(body), body)
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if halfClose {
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		return conn
	}
	conn.Close()
	return nil
}

// TestClientGoneAfterSending: once a complete request is sent, a client
// that half-closes its side or closes the connection still has its message
// taken, whole, and no internal error is logged. A half-closed client reads
// 202, and the conversation it names exists; every closed client's message
// is in the database.
func TestClientGoneAfterSending(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			logs := &errorLog{}
			n, err := node.New(ctx, node.Config{DatabaseURL: url, DataDir: t.TempDir(), Listen: "127.0.0.1:0",
				Provider: &testbed.Script{Step: testbed.Echo}}, slog.New(logs))
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				_ = n.Shutdown(sctx)
			})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			const rounds = 10
			for i := range rounds {
				conn := rawPost(t, n.Addr(), c, fmt.Sprintf("half %d", i), true)
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatalf("round %d: no response to a half-closed request: %v", i, err)
				}
				var acc struct {
					ConversationID string `json:"conversation_id"`
				}
				err = json.NewDecoder(resp.Body).Decode(&acc)
				resp.Body.Close()
				conn.Close()
				if resp.StatusCode != http.StatusAccepted || err != nil {
					t.Fatalf("round %d: half-closed client got %d (%v), want 202", i, resp.StatusCode, err)
				}
				var found int
				if err := n.DB().QueryRow(ctx, `SELECT count(*) FROM conversations WHERE id = ? AND workspace_id = ?`,
					acc.ConversationID, c.WorkspaceID).Scan(&found); err != nil || found != 1 {
					t.Fatalf("round %d: 202 names %q, which is not in the database (%v)", i, acc.ConversationID, err)
				}
			}
			for i := range rounds {
				rawPost(t, n.Addr(), c, fmt.Sprintf("gone %d", i), false)
			}
			// Every closed client's message is taken: poll the database
			// with a deadline.
			deadline := time.Now().Add(30 * time.Second)
			var got int
			for {
				if err := n.DB().QueryRow(ctx, `SELECT count(*) FROM turns t JOIN conversations c ON c.id = t.conversation_id
					WHERE c.workspace_id = ? AND t.message LIKE 'gone %'`, c.WorkspaceID).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got == rounds || time.Now().After(deadline) {
					break
				}
				select {
				case <-time.After(20 * time.Millisecond):
				case <-t.Context().Done():
				}
			}
			if got != rounds {
				t.Fatalf("%d of %d messages from closed clients were taken", got, rounds)
			}
			for _, m := range logs.errors() {
				if strings.Contains(m, "internal error") {
					t.Fatalf("logged: %s", m)
				}
			}
		})
	}
}
