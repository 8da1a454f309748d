package node

import (
	"context"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/access"
)

// newA2A builds the A2A server (DESIGN §7a) on the same credentials,
// budget check, queue and waiting as POST /api/agent.
func (n *Node) newA2A() *a2a.Server {
	return a2a.New(a2a.Config{
		DB: n.db, Accepts: n.accepts, Enqueue: n.queue.EnqueueTurn, Prepare: func() a2a.Accept { return n.queue.Prepare() }, Wait: n.http.WaitStopped, Now: n.now, Log: n.log,
		MaxBody: n.cfg.MaxAgentBody, CheckPushURL: n.guard.CheckURL, Sealer: n.secrets.Sealer,
		Authenticate: n.http.Authenticate,
		CheckBudget: func(ctx context.Context, pr access.Principal) error {
			// As POST /api/agent: a key without a budget, or a free
			// provider, cannot be over one.
			if n.budgets == nil || n.freeProvider {
				return nil
			}
			return n.budgets.Check(ctx, pr.Key.Limits())
		},
		Stopped: func(id string) { n.domain.turnCanceled(); n.turnDone(id, nil) },
		Admit:   n.http.Admit,
	})
}
