package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// MaxAgentBody is the default limit of a POST /api/agent body.
const MaxAgentBody = 64 << 10

// AgentRequest is the body of POST /api/agent.
type AgentRequest struct {
	Message        string         `json:"message" minLength:"1" doc:"What the agent should do, in plain English" example:"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"`
	ConversationID string         `json:"conversation_id,omitempty" maxLength:"64" doc:"Continue this conversation (answer a question, follow up)"`
	Metadata       map[string]any `json:"metadata,omitempty" doc:"Caller data, echoed back on the conversation and in webhooks"`
}

// Accepted is the 202 body of POST /api/agent.
type Accepted struct {
	ConversationID string              `json:"conversation_id" doc:"The conversation's id"`
	Status         conversation.Status `json:"status" doc:"queued, or the status at the end of ?wait="`
	PollURL        string              `json:"poll_url" doc:"Where to poll for the result" example:"/api/agent/conversations/01JD7X3K9Q6M2B5V8N4R0T1W2Y"`
}

type agentInput struct {
	Wait           int    `query:"wait" minimum:"0" maximum:"60" doc:"Hold the request up to this many seconds until the turn stops"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Same key within 24 h returns the original response without a second run"`
	RawBody        []byte
	Body           AgentRequest
}

type agentOutput struct {
	Status   int
	Location string `header:"Location" doc:"The conversation's URL"`
	Body     any
}

func (n *Server) registerAgent(api huma.API) {
	reg := api.OpenAPI().Components.Schemas
	convSchema := reg.Schema(reflect.TypeOf(conversation.Conversation{}), true, "Conversation")
	accSchema := reg.Schema(reflect.TypeOf(Accepted{}), true, "Accepted")
	locHeader := map[string]*huma.Param{"Location": {Description: "The conversation's URL", Schema: &huma.Schema{Type: "string"}}}
	huma.Register(api, huma.Operation{
		OperationID: "send-message",
		Method:      http.MethodPost,
		Path:        "/api/agent",
		Summary:     "Send a plain-English message to the agent",
		Description: "Queues a turn for the node's agent, which acts across the workspace as the token's member within the key's scopes. Replies by webhook to the key's response_url and by polling.",
		Tags:        []string{"Agent"},
		Security:    securityBoth,
		// Huma refuses a body whose size reaches MaxBodyBytes; the contract
		// refuses only a body over the limit, so one exactly at it passes.
		MaxBodyBytes:  n.cfg.MaxAgentBody + 1,
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{400, 401, 402, 403, 404, 409, 413, 422, 429, 503},
		Responses: map[string]*huma.Response{
			"200": {Description: "The turn stopped within ?wait=: the conversation", Content: map[string]*huma.MediaType{"application/json": {Schema: convSchema}}},
			"202": {Description: "Accepted: the turn is queued or still running", Headers: locHeader, Content: map[string]*huma.MediaType{"application/json": {Schema: accSchema}}},
		},
	}, n.sendMessage)
}

func (n *Server) sendMessage(ctx context.Context, in *agentInput) (*agentOutput, error) {
	pr := principal(ctx)
	if !utf8.Valid(in.RawBody) {
		return nil, newProblem(http.StatusBadRequest, "the request body is not valid UTF-8")
	}
	msg := strings.TrimSpace(in.Body.Message)
	if msg == "" {
		return nil, newProblem(http.StatusUnprocessableEntity, "message must not be empty")
	}
	if strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }) {
		return nil, newProblem(http.StatusUnprocessableEntity, "message contains control characters")
	}
	var meta json.RawMessage
	if in.Body.Metadata != nil {
		meta, _ = json.Marshal(in.Body.Metadata)
	}
	var requestHash string
	if in.IdempotencyKey != "" {
		// Only a retry with the same key compares bodies.
		canonical, _ := json.Marshal(in.Body)
		sum := sha256.Sum256(canonical)
		requestHash = hex.EncodeToString(sum[:])
	}
	// The body is read and valid: from here the accept runs on its own
	// context, so a client that half-closes or goes away neither aborts
	// it midway nor turns it into an internal error. It commits or rolls
	// back as a whole.
	reqCtx := ctx
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), acceptTimeout)
	defer cancel()
	// A key with no budget set cannot be over one: skip the query (the key
	// was read by authentication a moment ago).
	if n.budgets != nil && !n.freeProvider {
		if err := n.budgets.Check(ctx, pr.Key.Limits()); err != nil {
			return nil, problemFor(n.log, err)
		}
	}
	var sub conversation.Submitted
	// The turn starts in this process as soon as the transaction commits
	// (queue.Pending), when a worker slot is free. Concurrent accepts
	// commit together (conversation.Batcher), each atomic on its own.
	pending := n.prepare()
	// With ?wait=, the request subscribes to the turn's end before the
	// accept commits: the turn may start and finish before this handler
	// runs again, and its end then still wakes it (waitStopped).
	var waiting *waitSub
	err := n.accepts.InTx(ctx, func(tx store.Tx) error {
		var err error
		sub, err = conversation.Submit(ctx, tx, conversation.SubmitParams{
			WorkspaceID: pr.Caller.WorkspaceID, KeyID: pr.Key.ID, MemberID: pr.Member.ID,
			ConversationID: in.Body.ConversationID, Message: msg, Metadata: meta,
			IdempotencyKey: in.IdempotencyKey, RequestHash: requestHash, Now: n.now(),
			Admit: n.backlog.admit(pr.Key.ID), LeaseUntil: pending.HeldUntil(),
		}, pending.Enqueue)
		if err == nil && in.Wait > 0 && !sub.Replayed && (waiting == nil || waiting.id != sub.ConversationID) {
			n.waiters.cancel(waiting) // a batch that failed to commit runs this again
			waiting = n.waiters.subscribe(sub.ConversationID)
		}
		return err
	})
	pending.Done(err == nil)
	if err != nil || sub.Replayed || (waiting != nil && waiting.id != sub.ConversationID) {
		n.waiters.cancel(waiting)
		waiting = nil
	}
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	if !sub.Replayed {
		// Debug: a turn's one line at Info is the runner's "turn
		// finished" (docs/operating.md).
		n.log.Debug("message accepted", "conversation_id", sub.ConversationID, "turn", sub.Turn, "key_id", pr.Key.ID)
	}
	return n.conversationResponse(reqCtx, pr.Caller.WorkspaceID, sub.ConversationID, time.Duration(in.Wait)*time.Second, waiting, sub.Turn)
}

// acceptTimeout bounds accepting a message (budget check and the accept
// transaction), which no longer ends with the client's request.
const acceptTimeout = 30 * time.Second

// conversationResponse is the 202 body, or after waiting the conversation.
// waiting, if not nil, is the subscription taken before turn's accept
// committed (waitStopped); it is ended here.
func (n *Server) conversationResponse(ctx context.Context, workspaceID, id string, wait time.Duration, waiting *waitSub, turn int) (*agentOutput, error) {
	poll := "/api/agent/conversations/" + id
	out := &agentOutput{Status: http.StatusAccepted, Location: poll}
	if wait <= 0 {
		n.waiters.cancel(waiting)
		// Nothing to wait for: the 202 body is known without reading the
		// conversation back (it was committed, or found by its
		// Idempotency-Key, in this request).
		out.Body = Accepted{ConversationID: id, Status: conversation.Queued, PollURL: poll}
		return out, nil
	}
	c, err := n.waitStopped(ctx, workspaceID, id, wait, waiting, turn)
	if err != nil && ctx.Err() != nil {
		// The client went away while waiting; what was taken stays taken.
		out.Body = Accepted{ConversationID: id, Status: conversation.Queued, PollURL: poll}
		return out, nil
	}
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	if !c.Status.Active() {
		out.Status, out.Body = http.StatusOK, c
		return out, nil
	}
	out.Body = Accepted{ConversationID: id, Status: c.Status, PollURL: poll}
	return out, nil
}

type convIDInput struct {
	ID string `path:"id" maxLength:"64" doc:"Conversation id"`
}

type getConvInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Conversation id"`
	Wait int    `query:"wait" minimum:"0" maximum:"60" doc:"Hold the request up to this many seconds while the latest turn is queued or running (long polling)"`
}

type convOutput struct {
	Body conversation.Conversation
}

type listInput struct {
	Status string `query:"status" enum:"queued,running,input_required,completed,failed,budget_exceeded,canceled" doc:"Only conversations whose latest turn has this status"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Page size"`
	Cursor string `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
}

type listOutput struct {
	Body conversation.Page
}

func (n *Server) registerConversations(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-conversation", Method: http.MethodGet, Path: "/api/agent/conversations/{id}",
		Summary: "Get a conversation", Description: "The conversation with every turn, its actions and the signed reply. A conversation belongs to the integration key that started it: another key's or another workspace's id is 404, like an unknown one. With ?wait=N the request is held while the latest turn is still queued or running.",
		Tags: []string{"Agent"}, Security: securityBoth, Errors: []int{401, 404, 422, 429},
	}, func(ctx context.Context, in *getConvInput) (*convOutput, error) {
		pr := principal(ctx)
		ws := pr.Caller.WorkspaceID
		c, err := n.ownConversation(ctx, pr, in.ID)
		if err == nil && in.Wait > 0 && c.Status.Active() {
			c, err = n.WaitStopped(ctx, ws, in.ID, time.Duration(in.Wait)*time.Second)
		}
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &convOutput{Body: c}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-conversations", Method: http.MethodGet, Path: "/api/agent/conversations",
		Summary: "List the key's conversations", Description: "Newest first, paged with next_cursor, optionally by status. Each conversation comes without its turns (turns is []): get one for its turns and their actions.",
		Tags: []string{"Agent"}, Security: securityBoth, Errors: []int{401, 422, 429},
	}, func(ctx context.Context, in *listInput) (*listOutput, error) {
		pr := principal(ctx)
		page, err := conversation.List(ctx, n.db, conversation.ListParams{
			WorkspaceID: pr.Caller.WorkspaceID, KeyID: pr.Key.ID, Status: conversation.Status(in.Status), Limit: in.Limit, Cursor: in.Cursor,
		})
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &listOutput{Body: page}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "cancel-conversation", Method: http.MethodPost, Path: "/api/agent/conversations/{id}/cancel",
		Summary: "Cancel the running turn", Description: "Cancels the conversation's queued or running turn. 409 when nothing is running.",
		Tags: []string{"Agent"}, Security: securityBoth, Errors: []int{401, 404, 409, 422, 429},
	}, func(ctx context.Context, in *convIDInput) (*convOutput, error) {
		pr := principal(ctx)
		ws := pr.Caller.WorkspaceID
		if _, err := n.ownConversation(ctx, pr, in.ID); err != nil {
			return nil, problemFor(n.log, err)
		}
		err := n.db.InTx(ctx, func(tx store.Tx) error { return conversation.Cancel(ctx, tx, ws, in.ID, n.now()) })
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		n.turnCanceled()
		n.waiters.notify(in.ID)
		c, err := conversation.Get(ctx, n.db, ws, in.ID)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &convOutput{Body: c}, nil
	})
}

// ownConversation returns a conversation of the caller's integration key.
// A conversation belongs to the key that started it: another key's (even
// in the same workspace) is not found, exactly like an unknown id, so its
// replies, made under that key's scopes, are not readable by ID.
func (n *Server) ownConversation(ctx context.Context, pr access.Principal, id string) (conversation.Conversation, error) {
	c, err := conversation.Get(ctx, n.db, pr.Caller.WorkspaceID, id)
	if err == nil && c.KeyID != pr.Key.ID {
		return conversation.Conversation{}, errs.E(errs.NotFound, "no conversation %q", id)
	}
	return c, err
}
