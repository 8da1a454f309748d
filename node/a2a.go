package node

import (
	"context"
	"net/http"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// newA2A builds the A2A server (DESIGN §7a) on the same credentials,
// budget check, queue and waiting as POST /api/agent.
func (n *Node) newA2A() *a2a.Server {
	return a2a.New(a2a.Config{
		DB: n.db, Accepts: n.accepts, Enqueue: n.queue.EnqueueTurn, Prepare: func() a2a.Accept { return n.queue.Prepare() }, Wait: n.waitStopped, Now: n.now, Log: n.log,
		MaxBody: n.cfg.MaxAgentBody, CheckPushURL: n.guard.CheckURL, Sealer: n.secrets.Sealer,
		Authenticate: n.authenticateA2A,
		CheckBudget: func(ctx context.Context, pr access.Principal) error {
			// As POST /api/agent: a key without a budget, or a free
			// provider, cannot be over one.
			if n.budgets == nil || n.freeProvider {
				return nil
			}
			return n.budgets.Check(ctx, pr.Key.Limits())
		},
		Stopped: func(id string) { n.domain.turnCanceled(); n.turnDone(id) },
		Admit: func(keyID string) func(ctx context.Context, tx store.Tx) error {
			admit := n.backlog.admit(keyID)
			return func(ctx context.Context, tx store.Tx) error {
				err := admit(ctx, tx)
				if p, ok := err.(*Problem); ok {
					return errs.E(errs.Unavailable, "%s", p.Detail)
				}
				return err
			}
		},
	})
}

// authenticateA2A checks a request's two credentials through the failed-
// authentication limiter, as the caller API does.
func (n *Node) authenticateA2A(r *http.Request) (access.Principal, error) {
	ip := clientIP(r.RemoteAddr)
	if !n.limiter.allow(ip) {
		return access.Principal{}, errs.E(errs.RateLimited, "too many failed authentication attempts; try again later")
	}
	pr, err := n.authenticate(r.Context(), r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	if err != nil && errs.Is(err, errs.Unauthorized) {
		n.limiter.fail(ip)
	}
	return pr, err
}
