package negotiation

import "github.com/soisnode/soisnode/money"

// State is where an exchange stands in its protocol, as each side tracks
// it. It differs from Status: Status is the outcome the API reports.
type State string

// Exchange states.
const (
	StateNew      State = "new"      // nothing exchanged yet; only open is allowed
	StateOpen     State = "open"     // talking; no proposal pending
	StateProposed State = "proposed" // the last turn was a proposal, which accept may take
	StateEnded    State = "ended"    // finished; nothing more is allowed
)

// Status is a negotiation's status as the API returns it (DESIGN §7):
// open while it runs, then one of the final ones.
type Status string

// Statuses.
const (
	StatusOpen      Status = "open"
	StatusAccepted  Status = "accepted"
	StatusRejected  Status = "rejected"
	StatusClosed    Status = "closed"
	StatusTurnLimit Status = "turn_limit"
	StatusBudgetCap Status = "budget_cap"
	StatusExpired   Status = "expired"
	StatusFailed    Status = "failed"
	// StatusCanceled: a side canceled it (POST …/cancel); its close
	// carries {"kind":"cancel"}, so the other side ends it canceled too.
	StatusCanceled Status = "canceled"
)

// Final reports whether s ends an exchange.
func (s Status) Final() bool { return s != StatusOpen && s != "" }

func (s Status) known() bool {
	switch s {
	case StatusOpen, StatusAccepted, StatusRejected, StatusClosed, StatusTurnLimit, StatusBudgetCap, StatusExpired, StatusFailed, StatusCanceled:
		return true
	}
	return false
}

// Events that happen on this side only and never travel in an envelope
// (Check refuses them as unknown types). Feed them to Next like envelope
// types.
const (
	// LocalExpire: the exchange's deadline passed with no closing turn.
	LocalExpire Type = "local:expire"
	// LocalFail: the exchange cannot go on (the peer is unreachable, sent
	// an envelope that failed its checks, or this side's agent failed).
	LocalFail Type = "local:fail"
)

// Caps are this side's limits for one exchange: its own turn limit and
// budget cap (from the peer's policy, or the caller's max_turns and
// max_usd).
type Caps struct {
	MaxTurns int         // turns (envelopes from either side) per exchange; ≤ 0 means no limit
	MaxUSD   money.Micro // what this side may spend on the exchange
}

// Allowed reports whether an envelope of type t may arrive, or be sent, in
// state s: open first and only first; accept only answering a proposal;
// nothing after the end.
func Allowed(s State, t Type) bool {
	switch s {
	case StateNew, "":
		return t == TypeOpen
	case StateOpen:
		return t == TypeMessage || t == TypePropose || t == TypeReject || t == TypeClose
	case StateProposed:
		return t == TypeMessage || t == TypePropose || t == TypeAccept || t == TypeReject || t == TypeClose
	}
	return false
}

// Next is the exchange state machine. Given the state before a turn, the
// turn's type (or a local event), the number of turns including this one
// and what this side has spent so far, it returns the new state, whether
// the exchange has ended, and its status. Each side runs it with its own
// spend and caps, so each ends on its own limits.
//
// An explicit ending (accept, reject, close, a local event) wins over the
// limits; of the limits, the budget wins over the turn count. The budget is
// reached when spent exceeds the cap, or equals a non-zero cap: a zero cap
// lets a free agent talk but stops the first spend. A type not Allowed in
// the state ends the exchange as failed.
func Next(s State, t Type, turns int, spent money.Micro, c Caps) (State, bool, Status) {
	switch t {
	case LocalExpire:
		return StateEnded, true, StatusExpired
	case LocalFail:
		return StateEnded, true, StatusFailed
	}
	if !Allowed(s, t) {
		return StateEnded, true, StatusFailed
	}
	switch t {
	case TypeAccept:
		return StateEnded, true, StatusAccepted
	case TypeReject:
		return StateEnded, true, StatusRejected
	case TypeClose:
		return StateEnded, true, StatusClosed
	}
	if spent > c.MaxUSD || (spent > 0 && spent == c.MaxUSD) {
		return StateEnded, true, StatusBudgetCap
	}
	if c.MaxTurns > 0 && turns >= c.MaxTurns {
		return StateEnded, true, StatusTurnLimit
	}
	if t == TypePropose {
		return StateProposed, false, StatusOpen
	}
	return StateOpen, false, StatusOpen
}
