package node

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// eventFor maps a finished turn's status to its webhook event ("" for none).
var eventFor = map[conversation.Status]string{
	conversation.Completed:      webhook.EventCompleted,
	conversation.InputRequired:  webhook.EventInputRequired,
	conversation.Failed:         webhook.EventFailed,
	conversation.BudgetExceeded: webhook.EventBudgetExceeded,
}

// assembleSigning loads the node's signing keys and the webhook dispatcher.
func (n *Node) assembleSigning(ctx context.Context) error {
	kek, err := signing.LoadKEK(n.cfg.MasterKey, n.cfg.DataDir)
	if err != nil {
		return err
	}
	if n.keys, err = signing.New(n.db, kek, signing.Options{Now: n.now}); err != nil {
		return err
	}
	if err := n.keys.Ensure(ctx); err != nil {
		return err
	}
	box, err := signing.NewBox(kek)
	if err != nil {
		return err
	}
	n.secrets = &webhook.Secrets{DB: n.db, Sealer: box, Now: n.now}
	if n.nodeID, err = nodeID(ctx, n.db, n.cfg.NodeID); err != nil {
		return err
	}
	n.guard = webhook.Guard{AllowHosts: n.cfg.WebhookAllowHosts}
	n.deliveries = webhook.NewQueue(n.db, n.now)
	n.dispatcher, err = webhook.NewDispatcher(webhook.Config{DB: n.db, Signer: n.keys, Secrets: n.secrets, Guard: n.guard, Now: n.now, Logger: n.log, OnAttempt: n.onDeliveryAttempt,
		// n.a2a is assembled later; the dispatcher runs only after Start.
		Headers: func(ctx context.Context, id, event string) (http.Header, error) {
			return n.a2a.PushHeaders(ctx, id, event)
		}})
	if err != nil {
		return err
	}
	n.background = append(n.background, func(ctx context.Context) { _ = n.dispatcher.Run(ctx) })
	return nil
}

// nodeID returns the configured node id, or the one generated on first
// start and kept in the database (so every process on it agrees).
func nodeID(ctx context.Context, db *store.DB, configured string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	var id string
	err := db.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO node_settings (name, value) VALUES ('node_id', ?) ON CONFLICT DO NOTHING`, "node_"+store.NewID()); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT value FROM node_settings WHERE name = 'node_id'`).Scan(&id)
	})
	if err != nil {
		return "", fmt.Errorf("node: node id: %w", err)
	}
	return id, nil
}

// onTurnFinished queues the webhook of a finished turn, in the finishing
// transaction, when the key has a response_url (the key as the turn read
// it at its start; read again only for a turn that had not loaded it).
func (n *Node) onTurnFinished(ctx context.Context, tx store.Tx, f agent.Finished) error {
	conv, turn := f.Conv, f.Turn
	n.domain.turnFinishing(conv.ID, turn, f.ModelTime, f.FirstRun)
	ntx := &notingTx{Tx: tx}
	if err := n.a2a.OnTurnStopped(ctx, ntx, conv.ID, turn.Turn); err != nil {
		return err
	}
	defer func() {
		if ntx.queued {
			n.queuedDeliveries.Store(conv.ID, true)
		}
	}()
	event := eventFor[turn.Status]
	if event == "" {
		return nil
	}
	var key access.Key
	if f.Key != nil {
		key = *f.Key
	} else {
		var err error
		if key, err = access.FindKey(ctx, tx, conv.KeyID); err != nil {
			return err
		}
	}
	if key.ResponseURL == "" {
		return nil
	}
	d, err := webhook.NewDelivery(conv.WorkspaceID, key.ID, event, key.ResponseURL, webhook.Payload{Conversation: conv, SignedReply: conv.SignedReply})
	if err != nil {
		return err
	}
	d.CreatedAt = n.now()
	return webhook.Enqueue(ctx, ntx, d)
}

// notingTx is a turn's finishing transaction that remembers whether a
// delivery was queued in it (webhook.Noter).
type notingTx struct {
	store.Tx
	queued bool
}

// NoteDelivery implements webhook.Noter.
func (t *notingTx) NoteDelivery() { t.queued = true }

// onDeliveryAttempt counts a webhook attempt and tells the configured
// OnDeliveryAttempt (tests) of it.
func (n *Node) onDeliveryAttempt(ev webhook.AttemptEvent) {
	n.domain.deliveryAttempt(ev)
	if n.cfg.OnDeliveryAttempt != nil {
		n.cfg.OnDeliveryAttempt(ev)
	}
}

// turnDone runs after a turn's outcome is committed (conv: the
// conversation as the runner's finish committed it; nil for a turn that
// stopped otherwise, a cancel, or a finish that recorded nothing). The
// webhook dispatcher is woken when the runner's finish queued a delivery,
// and after every other stop (an A2A cancel queues its push itself).
func (n *Node) turnDone(conversationID string, conv *conversation.Conversation) {
	n.domain.turnCommitted(conversationID)
	_, queued := n.queuedDeliveries.LoadAndDelete(conversationID)
	if conv != nil {
		n.http.TurnFinished(*conv)
	} else {
		n.http.TurnStopped(conversationID)
	}
	if queued || conv == nil {
		n.dispatcher.Notify()
	}
}

// turnRolledBack drops what onTurnFinished noted for a finishing
// transaction that rolled back: turnDone will not come for it.
func (n *Node) turnRolledBack(conversationID string) {
	n.domain.turnRolledBack(conversationID)
	n.queuedDeliveries.Delete(conversationID)
}

// RotateWebhookSecret gives a key of workspace ws a new webhook secret
// (the first one for a key created before secrets existed) and returns it;
// the previous one keeps signing for webhook.SecretGrace. An unknown key
// is NotFound and a revoked one Invalid, with nothing written.
func (n *Node) RotateWebhookSecret(ctx context.Context, ws, keyID string) (secret string, previousUntil time.Time, err error) {
	err = n.db.InTx(ctx, func(tx store.Tx) error {
		k, err := access.GetKey(ctx, tx, ws, keyID)
		if err != nil {
			return err
		}
		if k.Revoked {
			return errs.E(errs.Invalid, "key %s is revoked", k.ID)
		}
		secret, previousUntil, err = n.secrets.Rotate(ctx, tx, k.ID, webhook.SecretGrace)
		return err
	})
	return secret, previousUntil, err
}

// CheckResponseURL applies the SSRF rules to a response_url being saved.
func (n *Node) CheckResponseURL(raw string) error { return n.guard.CheckURL(raw) }

var _ agent.Signer = (*signing.Keyring)(nil)
