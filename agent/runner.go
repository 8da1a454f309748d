package agent

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Pricer prices model calls. The price package's table implements it.
type Pricer interface {
	// MaxCost is the most a call of req can cost: an upper bound of its
	// prompt tokens (from the prompt's size, never a guess that can fall
	// short) at the input price plus req.MaxOutputTokens at the output
	// price. It must not decrease as MaxOutputTokens grows. ok is false for
	// a model with no price.
	MaxCost(model string, req Request) (cost money.Micro, ok bool)
	// Cost prices a finished call from its reported usage.
	Cost(model string, u Usage) (cost money.Micro, ok bool)
}

// FreePricer prices every call at zero (the local provider).
type FreePricer struct{}

// MaxCost implements Pricer.
func (FreePricer) MaxCost(string, Request) (money.Micro, bool) { return 0, true }

// Cost implements Pricer.
func (FreePricer) Cost(string, Usage) (money.Micro, bool) { return 0, true }

// Signer signs finished turns (signing.Keyring implements it).
type Signer interface {
	SignCompact(ctx context.Context, payload []byte, headers map[string]any) (string, error)
}

// FinishHook runs inside the transaction that finishes a turn, so what it
// writes (a webhook delivery) commits together with the outcome.
type FinishHook func(ctx context.Context, tx store.Tx, f Finished) error

// Finished is a turn whose outcome the finishing transaction has just
// recorded, as that transaction reads it.
type Finished struct {
	Conv conversation.Conversation // the conversation with every turn, as recorded
	Turn conversation.Turn         // the finished turn (Conv's last)
	// Key is the integration key as the run read it when the turn
	// started (its limits, scopes and response_url), so the hook need not
	// read it again; nil when the run did not get as far (a turn given up
	// or failed before its key was loaded).
	Key *access.Key
	// ModelTime is the wall time (Runner.Now) this run of the turn spent
	// getting the provider's answers: every Provider.Generate call,
	// retries and their waits included.
	ModelTime time.Duration
	// FirstRun: this run started the turn (it found it queued), so
	// ModelTime covers every model call of it. False for a turn resumed
	// after a wait on a tool, a stop or a crash, or given up (GiveUp).
	FirstRun bool
}

// DoneFunc is told, after the finishing transaction committed, that a
// turn of the conversation stopped. conv is the conversation as that
// transaction left it, or nil when this run recorded nothing (the turn
// had already stopped, e.g. canceled meanwhile).
type DoneFunc func(conversationID string, conv *conversation.Conversation)

// Runner runs conversation turns. Build it once; it is safe for
// concurrent use by many turns.
type Runner struct {
	DB       *store.DB
	Registry *workspace.Registry
	Provider Provider
	Pricer   Pricer // nil: FreePricer
	// Budgets holds money before each model call and records its cost;
	// nil: budgets over DB with default options (tests).
	Budgets *budget.Budgets
	// CapOf, if set, returns an extra limit on a conversation's model
	// calls (a negotiation's cap); nil: only the key's budgets limit them.
	CapOf    CapFunc
	Signer   Signer // nil: replies are not signed
	NodeID   string // "iss" of signed replies
	OnFinish FinishHook
	// Done is told, after commit, that a turn stopped (wakes ?wait=
	// requests, handing them the finished conversation).
	Done DoneFunc
	// RolledBack is told that a finishing transaction in which OnFinish
	// ran was rolled back (the hook, or the commit, failed), so what the
	// hook noted for after its commit can be dropped: that Done will not
	// come for it.
	RolledBack func(conversationID string)
	Log        *slog.Logger
	Now        func() time.Time
	// Waiters run the tool calls whose results come later (by tool name):
	// the turn stays running and its job is run again every WaitPoll.
	Waiters  map[string]Waiter
	WaitPoll time.Duration // default 1 second

	MaxSteps        int           // model calls per turn; default 10
	TurnTimeout     time.Duration // default 2 minutes
	MaxOutputTokens int           // per model call; default 2048
	// MinOutputTokens is the least output worth a call: when the budget
	// cannot pay for that much, the turn ends budget_exceeded without
	// calling the provider. Default 256 (at most MaxOutputTokens).
	MinOutputTokens int
	HistoryTurns    int // earlier turns given to the model; default 20
	// Compact, when set, compacts older earlier turns (Compaction; zero
	// fields take DefaultCompaction's). Nil sends every earlier turn as
	// recorded, which the local agent needs (it re-reads earlier results).
	Compact *Compaction

	once sync.Once
}

func (r *Runner) defaults() { r.once.Do(r.setDefaults) }

// compaction is Compact with its defaults, or nil.
func (r *Runner) compaction() *Compaction {
	if r.Compact == nil {
		return nil
	}
	c := r.Compact.withDefaults()
	return &c
}

func (r *Runner) setDefaults() {
	if r.Pricer == nil {
		r.Pricer = FreePricer{}
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Budgets == nil {
		r.Budgets = budget.New(r.DB, r.Now, budget.Options{Logger: r.Log})
	}
	if r.MaxSteps == 0 {
		r.MaxSteps = 10
	}
	if r.TurnTimeout == 0 {
		r.TurnTimeout = 2 * time.Minute
	}
	if r.MaxOutputTokens == 0 {
		r.MaxOutputTokens = 2048
	}
	if r.MinOutputTokens == 0 {
		r.MinOutputTokens = 256
	}
	r.MinOutputTokens = min(r.MinOutputTokens, r.MaxOutputTokens)
	if r.WaitPoll == 0 {
		r.WaitPoll = time.Second
	}
	if r.HistoryTurns == 0 {
		r.HistoryTurns = 20
	}
}
