package negotiation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"strconv"
	"strings"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
)

// A2AClient carries an exchange with a plain A2A peer (a card without the
// soisnode extension): this side's turns go out as A2A messages, and the
// peer's answers come back as its turns, unsigned.
type A2AClient interface {
	// Send sends msg to the A2A JSON-RPC interface at url (SendMessage,
	// blocking) and returns the peer's answer once it has stopped
	// working: a task, or a message. A protocol error (the peer refused
	// the message, or the credential) is a *Refused; anything else may
	// be retried. cred, when not nil, goes with every request of the call.
	Send(ctx context.Context, url string, cred *peers.Credential, msg *spec.Message) (spec.SendMessageResult, error)
}

// sendA2A delivers this side's turn t to a plain A2A peer as one A2A
// message in the exchange's context, and records the peer's answer as its
// next turn (unsigned), scheduling this side's turn after it. A turn the
// peer already answered is not sent again; a close is sent and not
// answered (the exchange is over here).
func (s *Service) sendA2A(ctx context.Context, n Negotiation, t Turn, peer peers.Peer) error {
	if t.Seq < n.LastSeq() {
		return nil // its answer is recorded
	}
	if s.A2A == nil {
		return errs.E(errs.Unavailable, "this node has no A2A client for plain A2A peers")
	}
	cred, err := peers.OpenCredential(ctx, s.DB, s.Sealer, peer)
	if err != nil {
		return err
	}
	res, err := s.A2A.Send(ctx, peer.A2AURL, cred, a2aMessage(n, t))
	if err != nil {
		return s.sendFailed(ctx, n, t, err)
	}
	s.log().Info("negotiation turn sent over A2A", "negotiation_id", n.ID, "seq", t.Seq, "type", t.Type, "to", n.Peer)
	if n.Status.Final() {
		return nil // our close (or cancel): nothing more to record
	}
	answer, contextID, taskID := a2aAnswer(res)
	answer.Seq, answer.From, answer.At = t.Seq+1, n.Peer, s.now()
	err = s.inTx(ctx, func(tx store.Tx) error {
		if err := appendChecked(ctx, tx, n.WorkspaceID, n.ID, answer, true); err != nil {
			return err
		}
		if n.A2AContext != "" {
			contextID = n.A2AContext // the exchange stays in its first context
		}
		if _, err := tx.Exec(ctx, `UPDATE negotiations SET a2a_context = ?, a2a_task = ? WHERE workspace_id = ? AND id = ?`,
			clip.Bytes(contextID, 200), clip.Bytes(taskID, 200), n.WorkspaceID, n.ID); err != nil {
			return fmt.Errorf("negotiation: A2A context of %s: %w", n.ID, err)
		}
		if status, final := finalStatus(answer.Type); final {
			got, err := Get(ctx, tx, n.WorkspaceID, n.ID)
			if err == nil {
				_, err = s.finish(ctx, tx, got, status, "")
			}
			return err
		}
		return s.Jobs.Step(ctx, tx, n.WorkspaceID, n.ID, answer.Seq+1)
	})
	if errs.Is(err, errs.Conflict) {
		return nil // recorded by an earlier run, or the exchange ended meanwhile
	}
	if err != nil {
		return err
	}
	s.log().Info("negotiation turn received over A2A", "negotiation_id", n.ID, "seq", answer.Seq, "type", answer.Type, "from", n.Peer)
	return nil
}

// a2aMessage is this side's turn t as an A2A user message: its text, its
// data as a data part, and where it belongs in metadata. The message id
// is the same for every send of the turn, so a peer that deduplicates
// sees one message.
func a2aMessage(n Negotiation, t Turn) *spec.Message {
	text := t.Text
	if strings.TrimSpace(text) == "" {
		text = "(" + string(t.Type) + ")"
	}
	parts := spec.ContentParts{spec.NewTextPart(text)}
	if len(t.Data) > 0 {
		var v any
		if json.Unmarshal(t.Data, &v) == nil {
			if obj, ok := v.(map[string]any); ok {
				parts = append(parts, spec.NewDataPart(obj))
			}
		}
	}
	m := spec.NewMessage(spec.MessageRoleUser, parts...)
	m.ID = n.ID + "-" + strconv.FormatInt(t.Seq, 10)
	m.ContextID = n.A2AContext
	if t.Type != TypeClose {
		m.TaskID = spec.TaskID(n.A2ATask)
	}
	m.Metadata = map[string]any{"negotiation_id": n.ID, "seq": t.Seq, "type": string(t.Type)}
	return m
}

// a2aAnswer reads a plain A2A peer's answer as its turn (Seq, From and At
// unset), with the context it was given in and the task that awaits this
// side's input, if any. A task that failed or was canceled closes the
// exchange, one the peer rejected rejects it, one that asks for
// authentication closes it (this node sends plain A2A peers no
// credentials); any other answer is a message. Text and data are the
// peer's, untrusted, and bounded like this side's (MaxText, MaxData).
func a2aAnswer(res spec.SendMessageResult) (Turn, string, string) {
	var msg *spec.Message
	t := Turn{Type: TypeMessage}
	contextID, taskID := "", ""
	switch r := res.(type) {
	case *spec.Task:
		contextID = r.ContextID
		msg = r.Status.Message
		if msg == nil && len(r.Artifacts) > 0 && r.Artifacts[len(r.Artifacts)-1] != nil {
			msg = &spec.Message{Parts: r.Artifacts[len(r.Artifacts)-1].Parts}
		}
		switch r.Status.State {
		case spec.TaskStateInputRequired:
			taskID = string(r.ID)
		case spec.TaskStateRejected:
			t.Type = TypeReject
		case spec.TaskStateFailed, spec.TaskStateCanceled, spec.TaskStateAuthRequired:
			t.Type = TypeClose
		}
		if t.Type == TypeClose {
			t.Text = "The peer's task ended " + strings.TrimPrefix(strings.ToLower(string(r.Status.State)), "task_state_") + ". "
		}
	case *spec.Message:
		contextID, msg = r.ContextID, r
	}
	var texts []string
	if msg != nil {
		for _, p := range msg.Parts {
			if p == nil {
				continue
			}
			if s := strings.TrimSpace(p.Text()); s != "" {
				texts = append(texts, s)
			} else if d := p.Data(); d != nil && t.Data == nil {
				if raw, err := json.Marshal(d); err == nil && len(raw) <= MaxData && raw[0] == '{' {
					t.Data = raw
				}
			}
		}
	}
	t.Text = clip.Bytes(t.Text+strings.Join(texts, "\n"), MaxText)
	if strings.TrimSpace(t.Text) == "" {
		t.Text = "(the peer answered with no text)"
	}
	return t, contextID, taskID
}

// sendFailed handles a failed delivery of turn t: a refusal ends the
// exchange as failed; past the deadline it ends as expired; else the
// error is returned, so the job tries again.
func (s *Service) sendFailed(ctx context.Context, n Negotiation, t Turn, err error) error {
	var refused *Refused
	if errors.As(err, &refused) {
		s.log().Warn("peer refused a negotiation turn", "negotiation_id", n.ID, "seq", t.Seq, "status", refused.Status, "detail", refused.Detail)
		if n.Status == StatusOpen {
			_, err = s.end(ctx, n, StatusFailed, "The peer refused this side's turn "+fmt.Sprint(t.Seq)+": "+clip.Bytes(refused.Detail, 300))
			return err
		}
		return nil
	}
	if !n.Deadline.IsZero() && !s.now().Before(n.Deadline) {
		if n.Status == StatusOpen {
			_, err = s.end(ctx, n, StatusExpired, "The peer could not be reached before the deadline")
			return err
		}
		return nil
	}
	return fmt.Errorf("negotiation: send turn %d of %s: %w", t.Seq, n.ID, err)
}
