package a2a

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// maxMessageID bounds a messageId (it becomes an idempotency record).
const maxMessageID = 200

// maxPageSize bounds ListTasks' pageSize.
const maxPageSize = 100

// SendMessage records the message as a new queued turn — of a new
// conversation, of the conversation contextId names, or of the task
// taskId names when that task asks for input — exactly as POST /api/agent
// would, and returns its task: at once when configuration.returnImmediately
// is set, otherwise once the turn stops (or BlockFor passes). A resent
// messageId returns the task it made, without a second turn.
func (s *Server) SendMessage(ctx context.Context, req *spec.SendMessageRequest) (spec.SendMessageResult, error) {
	pr, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	res, quick, err := s.send(ctx, pr, req)
	if quick != nil {
		return quick.view(), nil
	}
	return res, err
}

// send is SendMessage for the authenticated caller pr. A new task queued
// without waiting is returned as quick (res nil): what its answer shows is
// known without reading anything back, and the JSON-RPC binding writes it
// itself (serveSend).
func (s *Server) send(ctx context.Context, pr access.Principal, req *spec.SendMessageRequest) (res spec.SendMessageResult, quick *submitted, err error) {
	text, err := messageText(req.Message)
	if err != nil {
		return nil, nil, err
	}
	m := req.Message
	var push *spec.PushConfig
	if req.Config != nil && req.Config.PushConfig != nil {
		push = req.Config.PushConfig
		if err := s.checkPush(push); err != nil {
			return nil, nil, err
		}
	}
	sum := sha256.Sum256([]byte(m.ContextID + "\x00" + string(m.TaskID) + "\x00" + text))
	hash := hex.EncodeToString(sum[:])
	o := ownerOf(pr)
	now := s.cfg.Now()
	// Read before the transaction: the budget check uses its own connection.
	var spent error
	if s.cfg.CheckBudget != nil {
		if spent = s.cfg.CheckBudget(ctx, pr); spent != nil && !errs.Is(spent, errs.BudgetSpent) {
			return nil, nil, s.protocolError(spent)
		}
	}

	// As POST /api/agent: the message is read and valid, so the accept
	// runs on its own context; a client that goes away neither aborts it
	// midway nor turns it into an internal error. It commits or rolls back
	// as a whole, and acceptTimeout bounds the wait for the transaction.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), acceptTimeout)
	defer cancel()
	var task Task
	fresh := false // a new turn was queued by this request
	for attempt := 1; ; attempt++ {
		task, fresh, err = s.accept(actx, pr, m, text, hash, spent, push, now)
		if err == nil || m.TaskID != "" {
			break
		}
		// A new task's messageId is claimed by the task's own row, after
		// its turn was added: a resent messageId shows up as that claim
		// refused (errTaken), or as the error adding the turn gave (its
		// conversation still busy with the first send's turn, the
		// backlog full). Either way the task it made is the answer.
		prior, found, ferr := findMessage(actx, s.cfg.DB, o.KeyID, m.ID)
		if ferr != nil {
			return nil, nil, s.protocolError(ferr)
		}
		if found {
			if prior.hash != hash {
				return nil, nil, invalid("messageId %q was already sent with a different message", m.ID)
			}
			if task, err = getTask(actx, s.cfg.DB, o, prior.taskID); err != nil {
				return nil, nil, s.protocolError(err)
			}
			break
		}
		if !errors.Is(err, errTaken) {
			break
		}
		// Taken by a twin not committed yet (the same group commit) or
		// rolled back since: once more, after it.
		if attempt == maxClaimAttempts {
			return nil, nil, s.protocolError(errs.E(errs.Unavailable, "messageId %q is being sent by another request at the same moment; retry", m.ID))
		}
	}
	if err != nil {
		return nil, nil, s.protocolError(err)
	}
	if fresh {
		s.cfg.Log.Debug("a2a message accepted", "task_id", task.ID, "conversation_id", task.ConversationID, "turn", task.Turn, "key_id", o.KeyID)
	}
	blocking := req.Config == nil || !req.Config.ReturnImmediately
	if fresh && !blocking && task.FirstTurn == task.Turn {
		// Just queued: the task is known without reading it back.
		return nil, &submitted{task: task, text: text, at: now, history: historyLength(req.Config)}, nil
	}
	view, err := s.taskView(ctx, pr, task, blocking, historyLength(req.Config))
	if err != nil {
		return nil, nil, err
	}
	return view, nil, nil
}

// maxClaimAttempts bounds the accepts of one new-task message whose
// messageId a twin request holds without it being readable yet.
const maxClaimAttempts = 3

// accept runs one accepting transaction for a message: the new turn, and
// its new task (claiming the messageId with the task row) or the task it
// answers (claiming the messageId in a2a_messages first, so a resent
// answer finds its task without a second turn). fresh says whether a new
// turn was queued.
func (s *Server) accept(actx context.Context, pr access.Principal, m *spec.Message, text, hash string, spent error, push *spec.PushConfig, now time.Time) (task Task, fresh bool, err error) {
	o := ownerOf(pr)
	enqueue, pending, lease := s.cfg.Enqueue, Accept(nil), int64(0)
	if s.cfg.Prepare != nil {
		// As POST /api/agent: the turn starts in this process once the
		// transaction commits, without a round trip through River; its
		// row carries the lease that stands for the job.
		pending = s.cfg.Prepare()
		enqueue, lease = pending.Enqueue, pending.HeldUntil()
	}
	// A message to an existing task keeps that task's id.
	newID := string(m.TaskID)
	if newID == "" {
		newID = store.NewID()
	}
	err = s.cfg.Accepts.InTx(actx, func(tx store.Tx) error {
		ctx := stmtContext(actx, tx)
		fresh = false
		if m.TaskID != "" {
			taskID, prior, found, err := claimMessage(ctx, tx, o.KeyID, m.ID, newID, hash, now)
			if err != nil {
				return err
			}
			if found {
				if prior != hash {
					return invalid("messageId %q was already sent with a different message", m.ID)
				}
				task, err = getTask(ctx, tx, o, taskID)
				return err
			}
		}
		var err error
		task, err = s.submit(ctx, tx, pr, m, text, newID, hash, spent, now, enqueue, lease)
		if err != nil {
			return err
		}
		fresh = spent == nil
		if push == nil {
			return nil
		}
		if err := s.savePush(ctx, tx, task.ID, push, now); err != nil {
			return err
		}
		// A turn refused for a spent budget has stopped already.
		if st, err := conversation.TurnStatus(ctx, tx, task.ConversationID, task.Turn); err != nil || st.Active() {
			return err
		}
		return s.enqueuePush(ctx, tx, task.ConversationID, task.Turn)
	})
	if pending != nil {
		pending.Done(err == nil)
	}
	return task, fresh && err == nil, err
}

// submit adds the turn and its task in tx. A spent budget still makes a
// task (and a turn), failed at once with the reason, so the caller sees
// it where it looks for every outcome.
func (s *Server) submit(ctx context.Context, tx store.Tx, pr access.Principal, m *spec.Message, text, newID, hash string, spent error, now time.Time, enqueue conversation.Enqueuer, lease int64) (Task, error) {
	o := ownerOf(pr)
	var task Task
	convID := m.ContextID
	if m.TaskID != "" {
		var err error
		if task, err = getTask(ctx, tx, o, string(m.TaskID)); err != nil {
			return Task{}, err
		}
		if convID != "" && convID != task.ConversationID {
			return Task{}, invalid("task %s belongs to context %s, not %s", task.ID, task.ConversationID, convID)
		}
		convID = task.ConversationID
		st, err := conversation.TurnStatus(ctx, tx, convID, task.Turn)
		if err != nil {
			return Task{}, err
		}
		if st != conversation.InputRequired {
			return Task{}, &spec.Error{Err: spec.ErrUnsupportedOperation, Message: "task " + task.ID + " is " +
				string(stateOf[st]) + ", not waiting for input: send a new message without taskId (with contextId " + convID + " to continue the conversation)"}
		}
	}
	if spent != nil {
		// Failed at once below: nothing to run, no job and no lease.
		enqueue, lease = func(context.Context, store.Tx, string, int) error { return nil }, 0
	}
	params := conversation.SubmitParams{
		WorkspaceID: o.WorkspaceID, KeyID: o.KeyID, MemberID: pr.Member.ID, ConversationID: convID,
		Message: text, Now: now, LeaseUntil: lease, TaskID: newID,
	}
	if s.cfg.Admit != nil && spent == nil {
		params.Admit = s.cfg.Admit(o.KeyID)
	}
	fresh := task.ID == ""
	if fresh {
		params.With = newTask(&task, newID, o, m.ID, hash, now)
	}
	sub, err := conversation.Submit(ctx, tx, params, enqueue)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return Task{}, invalid("no conversation %q for contextId: continue only a context this key started", convID)
		}
		return Task{}, err
	}
	if !fresh {
		if err := advanceTask(ctx, tx, &task, sub.Turn, now); err != nil {
			return Task{}, err
		}
	}
	if spent != nil {
		msg := "I did not run: this integration key's budget is spent: " + errs.Message(spent) + "."
		if _, err := conversation.Finish(ctx, tx, sub.ConversationID, sub.Turn, conversation.Outcome{
			Status: conversation.BudgetExceeded, Reply: msg, Error: errs.Message(spent), Now: now,
		}); err != nil {
			return Task{}, err
		}
	}
	return task, nil
}

// acceptTimeout bounds accepting a message (as POST /api/agent's): the
// wait for the transaction and the transaction itself.
const acceptTimeout = 30 * time.Second

// stmtContext is the context for the accept transaction's statements. On
// SQLite it drops ctx's cancellation: modernc.org/sqlite starts a goroutine
// per statement to watch a cancellable context, and on the one writer
// connection that goroutine's scheduling lengthens every accept. Nothing
// is lost: the statements run in-process on the connection the
// transaction already holds, a lock held by another process is waited for
// under busy_timeout, and the COMMIT still runs under ctx (the context
// the transaction was begun with). PostgreSQL's statements keep ctx.
func stmtContext(ctx context.Context, tx store.Tx) context.Context {
	if tx.Dialect() == store.SQLite {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// messageText validates an incoming message and returns its text: text
// parts only, joined by blank lines.
func messageText(m *spec.Message) (string, error) {
	if m == nil {
		return "", invalid("message is required")
	}
	if m.ID == "" || len(m.ID) > maxMessageID || !utf8.ValidString(m.ID) {
		return "", invalid("message.messageId must be 1 to %d characters", maxMessageID)
	}
	if m.Role != spec.MessageRoleUser {
		return "", invalid("message.role must be ROLE_USER")
	}
	if len(m.ContextID) > 64 || len(m.TaskID) > 64 {
		return "", invalid("contextId and taskId are at most 64 characters")
	}
	var texts []string
	for _, p := range m.Parts {
		t, ok := p.Content.(spec.Text)
		if !ok {
			return "", &spec.Error{Err: spec.ErrUnsupportedContentType,
				Message: "only text parts are accepted (defaultInputModes text/plain): send files through the files tools by name, data as text"}
		}
		texts = append(texts, string(t))
	}
	text := strings.TrimSpace(strings.Join(texts, "\n\n"))
	if text == "" {
		return "", invalid("message must have non-empty text")
	}
	if !utf8.ValidString(text) {
		return "", invalid("message text is not valid UTF-8")
	}
	if strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }) {
		return "", invalid("message text contains control characters")
	}
	return text, nil
}

func historyLength(c *spec.SendMessageConfig) int {
	if c == nil || c.HistoryLength == nil {
		return -1
	}
	return *c.HistoryLength
}

// taskView reads a task's conversation and renders it, first waiting for
// the turn to stop when wait is set.
func (s *Server) taskView(ctx context.Context, pr access.Principal, t Task, wait bool, history int) (*spec.Task, error) {
	ws := pr.Caller.WorkspaceID
	c, err := conversation.Get(ctx, s.cfg.DB, ws, t.ConversationID)
	if err == nil && wait && c.Last().Turn == t.Turn && c.Status.Active() {
		c, err = s.cfg.Wait(ctx, ws, t.ConversationID, s.cfg.BlockFor)
	}
	if err != nil {
		return nil, s.protocolError(err)
	}
	return render(t, c, history), nil
}

// GetTask returns one of the caller's tasks.
func (s *Server) GetTask(ctx context.Context, req *spec.GetTaskRequest) (*spec.Task, error) {
	pr, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	t, err := getTask(ctx, s.cfg.DB, ownerOf(pr), string(req.ID))
	if err != nil {
		return nil, s.protocolError(err)
	}
	h := -1
	if req.HistoryLength != nil {
		h = *req.HistoryLength
	}
	return s.taskView(ctx, pr, t, false, h)
}

// ListTasks returns the caller's tasks (its integration key's), newest
// first, paged.
func (s *Server) ListTasks(ctx context.Context, req *spec.ListTasksRequest) (*spec.ListTasksResponse, error) {
	pr, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	size := req.PageSize
	if size == 0 {
		size = 50
	}
	if size < 1 || size > maxPageSize {
		return nil, invalid("pageSize must be 1 to %d", maxPageSize)
	}
	if req.HistoryLength != nil && *req.HistoryLength < 0 {
		return nil, invalid("historyLength must not be negative")
	}
	var want map[conversation.Status]bool
	if req.Status != spec.TaskStateUnspecified {
		sts, ok := statusOf[req.Status]
		if !ok {
			return nil, invalid("unknown or unused status %q", req.Status)
		}
		want = map[conversation.Status]bool{}
		for _, st := range sts {
			want[st] = true
		}
	}
	p := listParams{ContextID: req.ContextID, Limit: size, Cursor: req.PageToken}
	if req.StatusTimestampAfter != nil {
		p.After = *req.StatusTimestampAfter
	}
	o := ownerOf(pr)
	h := -1
	if req.HistoryLength != nil {
		h = *req.HistoryLength
	}
	resp := &spec.ListTasksResponse{Tasks: []*spec.Task{}}
	// A status filter is applied to each page read; a page may come back
	// short, with nextPageToken set while more may match.
	tasks, next, err := listTasks(ctx, s.cfg.DB, o, p)
	if err != nil {
		return nil, s.protocolError(err)
	}
	for _, t := range tasks {
		c, err := conversation.Get(ctx, s.cfg.DB, o.WorkspaceID, t.ConversationID)
		if err != nil {
			return nil, s.protocolError(err)
		}
		view := render(t, c, h)
		if want != nil && !want[conversation.Status(view.Metadata["status"].(string))] {
			continue
		}
		if !req.IncludeArtifacts {
			view.Artifacts = nil
		}
		resp.Tasks = append(resp.Tasks, view)
	}
	resp.NextPageToken = next
	// The size of this page, as returned (the A2A TCK reads it so).
	resp.PageSize = len(resp.Tasks)
	if resp.TotalSize, err = countTasks(ctx, s.cfg.DB, o, req.ContextID); err != nil {
		return nil, s.protocolError(err)
	}
	return resp, nil
}

// CancelTask cancels the task's queued or running turn, as POST
// /api/agent/conversations/{id}/cancel does.
func (s *Server) CancelTask(ctx context.Context, req *spec.CancelTaskRequest) (*spec.Task, error) {
	pr, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	o := ownerOf(pr)
	var t Task
	err = s.cfg.DB.InTx(ctx, func(tx store.Tx) error {
		if t, err = getTask(ctx, tx, o, string(req.ID)); err != nil {
			return err
		}
		st, err := conversation.TurnStatus(ctx, tx, t.ConversationID, t.Turn)
		if err != nil {
			return err
		}
		if !st.Active() {
			return &spec.Error{Err: spec.ErrTaskNotCancelable, Message: "task " + t.ID + " is " + string(stateOf[st]) + ": only a submitted or working task can be canceled"}
		}
		if err := conversation.Cancel(ctx, tx, o.WorkspaceID, t.ConversationID, s.cfg.Now()); err != nil {
			return err
		}
		return s.enqueuePush(ctx, tx, t.ConversationID, t.Turn)
	})
	if err != nil {
		if errs.Is(err, errs.Conflict) { // it stopped meanwhile
			err = &spec.Error{Err: spec.ErrTaskNotCancelable, Message: "task " + string(req.ID) + " already stopped"}
		}
		return nil, s.protocolError(err)
	}
	s.cfg.Stopped(t.ConversationID)
	return s.taskView(ctx, pr, t, false, -1)
}

// GetExtendedAgentCard: there is none; the public card says everything.
func (s *Server) GetExtendedAgentCard(ctx context.Context, _ *spec.GetExtendedAgentCardRequest) (*spec.AgentCard, error) {
	return nil, s.refuse(ctx, spec.ErrExtendedCardNotConfigured)
}

// refuse answers an unauthenticated caller with the authentication error,
// anyone else with err.
func (s *Server) refuse(ctx context.Context, err error) error {
	if _, aerr := s.principal(ctx); aerr != nil {
		return aerr
	}
	return err
}
