// Package benchbase is the baseline soisnode's benchmarks compare the node
// with (docs/benchmarks.md): POST /api/agent written by hand. It imports
// nothing of soisnode, so the server built from ./cmd/benchbase is as small
// as such a server can be, which makes its resident memory a fair
// reference too.
package benchbase

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oklog/ulid/v2"
	_ "modernc.org/sqlite" // the same SQLite driver the node uses
)

// IDs are the rows a message is stored for.
type IDs struct {
	WorkspaceID, MemberID, KeyID string
}

// Baseline is POST /api/agent written by hand with bare net/http and
// database/sql (SQLite) or pgx (PostgreSQL): no framework, no middleware,
// no logging, no metrics. It is what benchmarks compare the node with
// (docs/benchmarks.md). It stores the same rows as the node's accept path,
// in one transaction: the conversation, its first turn and the River job
// (a row in river_job that the node's workers would pick up), and answers
// the same 202 body.
//
// With Auth it also checks both credentials the way the contract requires
// (one lookup per credential hash, same workspace), which is the least a
// real hand-written handler must do; without it every request is stored
// for the fixed ids in Fixed (the bare insert).
type Baseline struct {
	Auth  bool
	Fixed IDs // workspace, member and key ids used when Auth is false
	// One stores each message with one INSERT (the conversation row, no
	// transaction, no turn, no job): the issue's "bare net/http + one
	// SQLite INSERT" reference, the least any durable server does.
	One bool

	sqlite *sql.DB
	pool   *pgxpool.Pool
}

// Open connects to a database that already has the node's schema
// (node.Migrate, or `soisnode init`). SQLite is opened exactly as the node
// opens it: WAL, synchronous=NORMAL, IMMEDIATE transactions, one
// connection.
func Open(ctx context.Context, url string) (*Baseline, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			return nil, err
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, err
		}
		return &Baseline{pool: pool}, nil
	case strings.HasPrefix(url, "sqlite://"):
		path := strings.TrimPrefix(url, "sqlite://")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return &Baseline{sqlite: db}, nil
	}
	return nil, fmt.Errorf("benchbase: unsupported database url")
}

// Close closes the database.
func (b *Baseline) Close() {
	if b.pool != nil {
		b.pool.Close()
	}
	if b.sqlite != nil {
		b.sqlite.Close()
	}
}

type baselineRequest struct {
	Message        string          `json:"message"`
	ConversationID string          `json:"conversation_id"`
	Metadata       json.RawMessage `json:"metadata"`
}

type baselineAccepted struct {
	ConversationID string `json:"conversation_id"`
	Status         string `json:"status"`
	PollURL        string `json:"poll_url"`
}

// ServeHTTP implements POST /api/agent for new conversations.
func (b *Baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/agent" {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	ids := b.Fixed
	if b.Auth {
		var ok bool
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ids, ok = b.Authenticate(ctx, token, r.Header.Get("X-Api-Key")); !ok {
			http.Error(w, `{"status":401,"detail":"invalid or missing credentials"}`, http.StatusUnauthorized)
			return
		}
	}
	var in baselineRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		http.Error(w, `{"status":400,"detail":"malformed body"}`, http.StatusBadRequest)
		return
	}
	msg := strings.TrimSpace(in.Message)
	if msg == "" || in.ConversationID != "" {
		http.Error(w, `{"status":422,"detail":"message must not be empty"}`, http.StatusUnprocessableEntity)
		return
	}
	meta := string(in.Metadata)
	if meta == "" || meta == "null" {
		meta = "{}"
	}
	id := ulid.Make().String()
	insert := b.Insert
	if b.One {
		insert = b.InsertOne
	}
	if err := insert(ctx, ids, id, msg, meta); err != nil {
		http.Error(w, `{"status":500,"detail":"could not store the message"}`, http.StatusInternalServerError)
		return
	}
	poll := "/api/agent/conversations/" + id
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", poll)
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(baselineAccepted{ConversationID: id, Status: "queued", PollURL: poll})
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Authenticate looks both credentials up by hash and requires them to be
// live and of the same workspace.
func (b *Baseline) Authenticate(ctx context.Context, token, key string) (IDs, bool) {
	if token == "" || key == "" {
		return IDs{}, false
	}
	const tokenQ = `SELECT m.id, m.workspace_id FROM access_tokens t JOIN members m ON m.id = t.member_id WHERE t.hash = %s AND t.revoked_at = 0`
	const keyQ = `SELECT id, workspace_id FROM api_keys WHERE hash = %s AND revoked_at = 0`
	var c IDs
	var keyWS string
	var err1, err2 error
	if b.pool != nil {
		err1 = b.pool.QueryRow(ctx, fmt.Sprintf(tokenQ, "$1"), hashHex(token)).Scan(&c.MemberID, &c.WorkspaceID)
		err2 = b.pool.QueryRow(ctx, fmt.Sprintf(keyQ, "$1"), hashHex(key)).Scan(&c.KeyID, &keyWS)
	} else {
		err1 = b.sqlite.QueryRowContext(ctx, fmt.Sprintf(tokenQ, "?"), hashHex(token)).Scan(&c.MemberID, &c.WorkspaceID)
		err2 = b.sqlite.QueryRowContext(ctx, fmt.Sprintf(keyQ, "?"), hashHex(key)).Scan(&c.KeyID, &keyWS)
	}
	return c, err1 == nil && err2 == nil && c.WorkspaceID == keyWS
}

// Insert stores conversation id, its first turn and the River job in one
// transaction.
func (b *Baseline) Insert(ctx context.Context, c IDs, id, msg, meta string) error {
	now := time.Now().UnixMicro()
	args, _ := json.Marshal(struct {
		ConversationID string `json:"conversation_id"`
		Turn           int    `json:"turn"`
	}{id, 1})
	if b.pool != nil {
		return pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, metadata, created_at, updated_at)
				VALUES ($1, $2, $3, $4, 'queued', 1, $5, $6, $6)`, id, c.WorkspaceID, c.KeyID, c.MemberID, meta, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO turns (conversation_id, turn, message, status, created_at) VALUES ($1, 1, $2, 'queued', $3)`,
				id, msg, now); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at)
				VALUES ($1::jsonb, 'agent_turn', 5, 1, 'default', 'available', now())`, string(args))
			return err
		})
	}
	tx, err := b.sqlite.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, metadata, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'queued', 1, ?, ?, ?)`, id, c.WorkspaceID, c.KeyID, c.MemberID, meta, now, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO turns (conversation_id, turn, message, status, created_at) VALUES (?, 1, ?, 'queued', ?)`,
		id, msg, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at)
		VALUES (jsonb(?), 'agent_turn', 5, 1, 'default', 'available', datetime('now', 'subsec'))`, string(args)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return nil
}

// InsertOne stores conversation id with one INSERT (One).
func (b *Baseline) InsertOne(ctx context.Context, c IDs, id, _, meta string) error {
	now := time.Now().UnixMicro()
	if b.pool != nil {
		_, err := b.pool.Exec(ctx, `INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, metadata, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'queued', 1, $5, $6, $6)`, id, c.WorkspaceID, c.KeyID, c.MemberID, meta, now)
		return err
	}
	_, err := b.sqlite.ExecContext(ctx, `INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, metadata, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'queued', 1, ?, ?, ?)`, id, c.WorkspaceID, c.KeyID, c.MemberID, meta, now, now)
	return err
}

// Serve runs the baseline on url, listening on addr, until ctx ends: with
// the credential check and the node's three rows, or with one (the
// baseline One: no credential check, one INSERT for the fixed ids). GET
// /readyz answers 200 once it listens.
func Serve(ctx context.Context, url, addr string, one *IDs) error {
	bl, err := Open(ctx, url)
	if err != nil {
		return err
	}
	defer bl.Close()
	bl.Auth = true
	if one != nil {
		bl.Auth, bl.One, bl.Fixed = false, true, *one
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	})
	mux.Handle("/", bl)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
