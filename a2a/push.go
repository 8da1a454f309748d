package a2a

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// EventTask is the webhook event of an A2A push notification: the task,
// as a StreamResponse {"task": …}, when one of its turns stops.
const EventTask = "a2a.task"

// Push headers the A2A specification defines.
const (
	HeaderNotificationToken = "A2A-Notification-Token"
	maxPushConfigs          = 10 // per task
	maxTokenLen             = 1024
)

// checkPush validates a push config: an https URL the SSRF guard allows
// (private and loopback addresses only when allow-listed, like webhooks),
// a sane token, and a Bearer or Basic authentication if any.
func (s *Server) checkPush(c *spec.PushConfig) error {
	if c.URL == "" {
		return invalid("push notification config needs a url")
	}
	if s.cfg.CheckPushURL != nil {
		if err := s.cfg.CheckPushURL(c.URL); err != nil {
			return invalid("push notification url refused: %s", errs.Message(err))
		}
	}
	if len(c.Token) > maxTokenLen || len(c.ID) > 64 || strings.ContainsAny(c.Token, "\r\n") {
		return invalid("push notification token must be at most %d characters on one line, id at most 64", maxTokenLen)
	}
	if c.Auth != nil {
		switch strings.ToLower(c.Auth.Scheme) {
		case "bearer", "basic":
		default:
			return invalid("push notification authentication scheme %q is not supported: use Bearer or Basic", c.Auth.Scheme)
		}
		if c.Auth.Credentials == "" || len(c.Auth.Credentials) > maxTokenLen || strings.ContainsAny(c.Auth.Credentials, "\r\n") {
			return invalid("push notification credentials must be 1 to %d characters on one line", maxTokenLen)
		}
	}
	return nil
}

// savePush stores (or replaces) a push config of a task.
func (s *Server) savePush(ctx context.Context, tx store.Tx, taskID string, c *spec.PushConfig, now time.Time) error {
	if c.ID == "" {
		c.ID = store.NewID()
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM a2a_push_configs WHERE task_id = ? AND id <> ?`, taskID, c.ID).Scan(&n); err != nil {
		return fmt.Errorf("a2a: count push configs: %w", err)
	}
	if n >= maxPushConfigs {
		return invalid("a task has at most %d push notification configs", maxPushConfigs)
	}
	scheme, secrets := "", pushSecrets{Token: c.Token}
	if c.Auth != nil {
		scheme, secrets.Credentials = c.Auth.Scheme, c.Auth.Credentials
	}
	sealed, err := s.sealJSON(pushLabel(taskID, c.ID), secrets)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM a2a_push_configs WHERE task_id = ? AND id = ?`, taskID, c.ID); err != nil {
		return fmt.Errorf("a2a: save push config: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO a2a_push_configs (task_id, id, url, auth_scheme, secrets_enc, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		taskID, c.ID, c.URL, scheme, sealed, store.Micros(now))
	if err != nil {
		return fmt.Errorf("a2a: save push config: %w", err)
	}
	c.TaskID = spec.TaskID(taskID)
	return nil
}

func (s *Server) pushConfigs(ctx context.Context, q store.Querier, taskID, id string) ([]*spec.PushConfig, error) {
	rows, err := q.Query(ctx, `SELECT id, url, token, auth_scheme, auth_credentials, secrets_enc FROM a2a_push_configs
		WHERE task_id = ? AND (? = '' OR id = ?) ORDER BY created_at, id`, taskID, id, id)
	if err != nil {
		return nil, fmt.Errorf("a2a: push configs: %w", err)
	}
	defer rows.Close()
	var out []*spec.PushConfig
	for rows.Next() {
		c := &spec.PushConfig{TaskID: spec.TaskID(taskID)}
		var scheme, creds string
		var sealed []byte
		if err := rows.Scan(&c.ID, &c.URL, &c.Token, &scheme, &creds, &sealed); err != nil {
			return nil, fmt.Errorf("a2a: push configs: %w", err)
		}
		if sealed != nil { // else a row not yet sealed by SealLegacy
			var sec pushSecrets
			if err := s.openJSON(pushLabel(taskID, c.ID), sealed, &sec); err != nil {
				return nil, err
			}
			c.Token, creds = sec.Token, sec.Credentials
		}
		if scheme != "" {
			c.Auth = &spec.PushAuthInfo{Scheme: scheme, Credentials: creds}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// redact hides a config's secrets in what is read back.
func redact(c *spec.PushConfig) *spec.PushConfig {
	out := *c
	if out.Token != "" {
		out.Token = "********"
	}
	if out.Auth != nil {
		out.Auth = &spec.PushAuthInfo{Scheme: c.Auth.Scheme, Credentials: "********"}
	}
	return &out
}

// CreateTaskPushConfig adds a push config to one of the caller's tasks.
func (s *Server) CreateTaskPushConfig(ctx context.Context, c *spec.PushConfig) (*spec.PushConfig, error) {
	pr, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkPush(c); err != nil {
		return nil, err
	}
	err = s.cfg.DB.InTx(ctx, func(tx store.Tx) error {
		if _, err := getTask(ctx, tx, ownerOf(pr), string(c.TaskID)); err != nil {
			return err
		}
		return s.savePush(ctx, tx, string(c.TaskID), c, s.cfg.Now())
	})
	if err != nil {
		return nil, s.protocolError(err)
	}
	return redact(c), nil
}

// GetTaskPushConfig returns one push config of one of the caller's tasks.
func (s *Server) GetTaskPushConfig(ctx context.Context, req *spec.GetTaskPushConfigRequest) (*spec.PushConfig, error) {
	list, err := s.ownPush(ctx, req.TaskID, req.ID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, &spec.Error{Err: spec.ErrTaskNotFound, Message: fmt.Sprintf("no push notification config %q on task %q", req.ID, req.TaskID)}
	}
	return redact(list[0]), nil
}

// ListTaskPushConfigs returns the push configs of one of the caller's tasks.
func (s *Server) ListTaskPushConfigs(ctx context.Context, req *spec.ListTaskPushConfigRequest) (*spec.ListTaskPushConfigResponse, error) {
	list, err := s.ownPush(ctx, req.TaskID, "")
	if err != nil {
		return nil, err
	}
	resp := &spec.ListTaskPushConfigResponse{Configs: []*spec.PushConfig{}}
	for _, c := range list {
		resp.Configs = append(resp.Configs, redact(c))
	}
	return resp, nil
}

// DeleteTaskPushConfig removes a push config of one of the caller's tasks.
func (s *Server) DeleteTaskPushConfig(ctx context.Context, req *spec.DeleteTaskPushConfigRequest) error {
	if _, err := s.ownPush(ctx, req.TaskID, req.ID); err != nil {
		return err
	}
	_, err := s.cfg.DB.Exec(ctx, `DELETE FROM a2a_push_configs WHERE task_id = ? AND id = ?`, string(req.TaskID), req.ID)
	if err != nil {
		return s.protocolError(fmt.Errorf("a2a: delete push config: %w", err))
	}
	return nil
}

func (s *Server) ownPush(ctx context.Context, taskID spec.TaskID, id string) ([]*spec.PushConfig, error) {
	pr, err := s.principal(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := getTask(ctx, s.cfg.DB, ownerOf(pr), string(taskID)); err != nil {
		return nil, s.protocolError(err)
	}
	list, err := s.pushConfigs(ctx, s.cfg.DB, string(taskID), id)
	if err != nil {
		return nil, s.protocolError(err)
	}
	return list, nil
}

// OnTurnStopped queues, in the transaction that recorded a turn's outcome,
// a push notification to every push config of the tasks that turn
// belongs to. The node calls it for every stopped turn.
func (s *Server) OnTurnStopped(ctx context.Context, tx store.Tx, conversationID string, turn int) error {
	return s.enqueuePush(ctx, tx, conversationID, turn)
}

func (s *Server) enqueuePush(ctx context.Context, tx store.Tx, conversationID string, turn int) error {
	tasks, err := tasksOfTurn(ctx, tx, conversationID, turn)
	if err != nil || len(tasks) == 0 {
		return err
	}
	for _, t := range tasks {
		configs, err := s.pushConfigs(ctx, tx, t.ID, "")
		if err != nil || len(configs) == 0 {
			if err != nil {
				return err
			}
			continue
		}
		c, err := conversation.Get(ctx, tx, t.WorkspaceID, conversationID)
		if err != nil {
			return err
		}
		body, err := json.Marshal(spec.StreamResponse{Event: render(t, c, -1)})
		if err != nil {
			return fmt.Errorf("a2a: encode push: %w", err)
		}
		for _, pc := range configs {
			d := webhook.Delivery{ID: store.NewID(), WorkspaceID: t.WorkspaceID, KeyID: t.KeyID, Event: EventTask,
				URL: pc.URL, Body: body, CreatedAt: s.cfg.Now()}
			if err := webhook.Enqueue(ctx, tx, d); err != nil {
				return err
			}
			h := http.Header{}
			if pc.Token != "" {
				h.Set(HeaderNotificationToken, pc.Token)
			}
			if pc.Auth != nil {
				scheme := "Bearer"
				if strings.EqualFold(pc.Auth.Scheme, "basic") {
					scheme = "Basic"
				}
				h.Set("Authorization", scheme+" "+pc.Auth.Credentials)
			}
			if len(h) == 0 {
				continue
			}
			sealed, err := s.sealJSON(headersLabel(d.ID), h)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO a2a_push_headers (delivery_id, headers, headers_enc) VALUES (?, '', ?)`, d.ID, sealed); err != nil {
				return fmt.Errorf("a2a: push headers: %w", err)
			}
		}
	}
	return nil
}

// PushHeaders returns the extra headers of a push delivery (the webhook
// dispatcher's Headers hook): the notification token and authentication
// its config asked for. Other deliveries get none.
func (s *Server) PushHeaders(ctx context.Context, deliveryID, event string) (http.Header, error) {
	if event != EventTask {
		return nil, nil
	}
	var raw string
	var sealed []byte
	err := s.cfg.DB.QueryRow(ctx, `SELECT headers, headers_enc FROM a2a_push_headers WHERE delivery_id = ?`, deliveryID).Scan(&raw, &sealed)
	if err == store.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("a2a: push headers: %w", err)
	}
	var h http.Header
	if sealed != nil {
		return h, s.openJSON(headersLabel(deliveryID), sealed, &h)
	}
	// A row not yet sealed by SealLegacy.
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return nil, fmt.Errorf("a2a: push headers: %w", err)
	}
	return h, nil
}
