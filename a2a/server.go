package a2a

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// Config is what the A2A server needs from the node.
type Config struct {
	DB *store.DB
	// Accepts, if set, runs SendMessage's accepting transaction (the
	// node's conversation.Batcher, shared with POST /api/agent, so both
	// commit in the same groups); nil: DB.InTx.
	Accepts store.Transactor
	// Authenticate checks a request's two credentials (and the node's
	// failed-authentication limiter).
	Authenticate func(r *http.Request) (access.Principal, error)
	// Enqueue queues a submitted turn, as POST /api/agent does.
	Enqueue conversation.Enqueuer
	// Prepare, if set, opens an accept whose Enqueue replaces Enqueue
	// and whose Done is told whether the transaction committed (the
	// node's local lane, queue.Pending, as POST /api/agent uses).
	Prepare func() Accept
	// Admit, if set, gives the check that may refuse a key's new turn
	// (the node's backlog limits, as for POST /api/agent): an
	// errs.Unavailable error, answered as a server error saying why.
	Admit func(keyID string) func(ctx context.Context, tx store.Tx) error
	// CheckBudget reports a spent budget of the caller's key
	// (errs.BudgetSpent), or nil; nil func: never spent.
	CheckBudget func(ctx context.Context, pr access.Principal) error
	// Wait holds a blocking SendMessage until the conversation's turn
	// stops or d passes.
	Wait func(ctx context.Context, workspaceID, conversationID string, d time.Duration) (conversation.Conversation, error)
	// Stopped is told when a turn stops outside the runner (a cancel).
	Stopped func(conversationID string)
	// Sealer seals push-notification secrets at rest (the node's
	// *signing.Box, as for webhook secrets). Required.
	Sealer webhook.Sealer
	// CheckPushURL applies the webhook SSRF rules to a push URL.
	CheckPushURL func(raw string) error
	// MaxBody bounds a request body (default 64 KiB, as POST /api/agent).
	MaxBody int64
	// BlockFor bounds how long a blocking SendMessage waits (default 60 s).
	BlockFor time.Duration
	Now      func() time.Time
	Log      *slog.Logger
}

// Accept is one accepted message's enqueue (conversation.Pending).
type Accept = conversation.Pending

// Server is the node's A2A server: an a2asrv.RequestHandler over
// conversations, and the HTTP handler of both bindings.
type Server struct {
	cfg Config
}

var _ a2asrv.RequestHandler = (*Server)(nil)

// New returns a Server; cfg.DB, Authenticate, Enqueue, Wait and Sealer
// are required.
func New(cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.BlockFor <= 0 {
		cfg.BlockFor = 60 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Accepts == nil {
		cfg.Accepts = cfg.DB
	}
	if cfg.Stopped == nil {
		cfg.Stopped = func(string) {}
	}
	return &Server{cfg: cfg}
}

type authKey struct{}

type auth struct {
	pr  access.Principal
	err error
}

// Handler serves JSON-RPC at Path and HTTP+JSON below it. Every request
// is authenticated first; a failure is answered by the handler in the
// binding's own error shape (so a JSON-RPC caller gets a JSON-RPC error),
// before anything is read or stored.
func (s *Server) Handler() http.Handler {
	jsonrpc := a2asrv.NewJSONRPCHandler(s)
	rest := http.StripPrefix(Path, a2asrv.NewRESTHandler(s))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isRPC := r.URL.Path == Path
		var body []byte
		if r.Body != nil && r.ContentLength != 0 {
			var err error
			body, err = io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBody+1))
			if err != nil {
				writeError(w, isRPC, http.StatusBadRequest, spec.ErrParseError, "could not read the request body")
				return
			}
			if int64(len(body)) > s.cfg.MaxBody {
				writeError(w, isRPC, http.StatusRequestEntityTooLarge, spec.ErrInvalidRequest,
					fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBody))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		pr, err := s.cfg.Authenticate(r)
		if isRPC && err != nil && errs.Is(err, errs.Unauthorized) {
			// HTTP 401 with the JSON-RPC error as the body: the status
			// for HTTP-level clients (and the A2A TCK), the error object
			// for JSON-RPC ones.
			w.Header().Set("WWW-Authenticate", `Bearer realm="soisnode"`)
			writeRPCError(w, http.StatusUnauthorized, requestID(body), -31401, unauthenticatedMsg)
			return
		}
		if isRPC && err == nil && body != nil {
			if id, msg := precheckRPC(body); msg != "" {
				writeRPCError(w, http.StatusOK, id, -32602, msg)
				return
			}
			if s.serveSend(w, r, body, pr) {
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), authKey{}, auth{pr: pr, err: err}))
		if isRPC {
			jsonrpc.ServeHTTP(w, r)
			return
		}
		rest.ServeHTTP(w, r)
	})
}

// writeError answers before a2a-go's handlers run, in the binding's shape.
func writeError(w http.ResponseWriter, isRPC bool, status int, kind error, msg string) {
	if isRPC {
		code := map[error]int{spec.ErrParseError: -32700, spec.ErrInvalidRequest: -32600}[kind]
		writeRPCError(w, status, nil, code, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": status, "status": "INVALID_ARGUMENT", "message": msg}})
}

// unauthenticatedMsg is the answer to missing or wrong credentials: it
// never says which of the two was wrong.
const unauthenticatedMsg = "missing or invalid credentials: send Authorization: Bearer sois_tok_… and X-Api-Key: sois_… of one workspace"

// requestID is a JSON-RPC request's id, or nil when body has none.
func requestID(body []byte) json.RawMessage {
	var req struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	return req.ID
}

// writeRPCError answers a JSON-RPC request with an error object.
func writeRPCError(w http.ResponseWriter, status int, id json.RawMessage, code int, msg string) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": id,
		"error": map[string]any{"code": code, "message": msg}})
}

// owner returns the authenticated caller of a request.
func (s *Server) principal(ctx context.Context) (access.Principal, error) {
	a, ok := ctx.Value(authKey{}).(auth)
	if !ok {
		return access.Principal{}, &spec.Error{Err: spec.ErrUnauthenticated, Message: "missing credentials"}
	}
	if a.err != nil {
		return access.Principal{}, s.protocolError(a.err)
	}
	return a.pr, nil
}

func ownerOf(pr access.Principal) Owner {
	return Owner{WorkspaceID: pr.Caller.WorkspaceID, KeyID: pr.Key.ID}
}

// protocolError maps an errs error to the A2A error the bindings encode,
// keeping the caller-safe message; an internal error is logged and shown
// as "internal error".
func (s *Server) protocolError(err error) error {
	var already *spec.Error
	if errors.As(err, &already) {
		return err
	}
	kind := errs.KindOf(err)
	if kind == errs.Internal {
		s.cfg.Log.Error("a2a: internal error", "err", err)
	}
	sentinel := map[errs.Kind]error{
		errs.Invalid: spec.ErrInvalidParams, errs.Malformed: spec.ErrInvalidParams, errs.Unprocessable: spec.ErrInvalidParams,
		errs.TooLarge: spec.ErrInvalidParams, errs.Unauthorized: spec.ErrUnauthenticated, errs.Forbidden: spec.ErrUnauthorized,
		errs.NotFound: spec.ErrTaskNotFound, errs.Conflict: spec.ErrInvalidRequest, errs.RateLimited: spec.ErrServerError,
		errs.Unavailable: spec.ErrServerError, errs.BudgetSpent: spec.ErrInvalidRequest,
	}[kind]
	if sentinel == nil {
		sentinel = spec.ErrInternalError
	}
	msg := errs.Message(err)
	if kind == errs.Unauthorized {
		msg = unauthenticatedMsg
	}
	return &spec.Error{Err: sentinel, Message: strings.TrimSpace(msg)}
}

func invalid(format string, args ...any) error {
	return &spec.Error{Err: spec.ErrInvalidParams, Message: fmt.Sprintf(format, args...)}
}
