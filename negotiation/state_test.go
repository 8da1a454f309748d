package negotiation

import (
	"testing"

	"github.com/soisnode/soisnode/money"
)

func TestNext(t *testing.T) {
	caps := Caps{MaxTurns: 10, MaxUSD: money.Dollar}
	tests := []struct {
		name  string
		s     State
		t     Type
		turns int
		spent money.Micro
		c     Caps
		want  State
		ended bool
		st    Status
	}{
		{"open", StateNew, TypeOpen, 1, 0, caps, StateOpen, false, StatusOpen},
		{"message", StateOpen, TypeMessage, 2, 0, caps, StateOpen, false, StatusOpen},
		{"propose", StateOpen, TypePropose, 3, 0, caps, StateProposed, false, StatusOpen},
		{"counter-proposal", StateProposed, TypePropose, 4, 0, caps, StateProposed, false, StatusOpen},
		{"talk after proposal", StateProposed, TypeMessage, 4, 0, caps, StateOpen, false, StatusOpen},
		{"accept", StateProposed, TypeAccept, 4, 0, caps, StateEnded, true, StatusAccepted},
		{"reject proposal", StateProposed, TypeReject, 4, 0, caps, StateEnded, true, StatusRejected},
		{"reject open", StateOpen, TypeReject, 2, 0, caps, StateEnded, true, StatusRejected},
		{"close", StateOpen, TypeClose, 2, 0, caps, StateEnded, true, StatusClosed},
		{"close proposal", StateProposed, TypeClose, 2, 0, caps, StateEnded, true, StatusClosed},

		{"turn limit", StateOpen, TypeMessage, 10, 0, caps, StateEnded, true, StatusTurnLimit},
		{"turn before limit", StateOpen, TypeMessage, 9, 0, caps, StateOpen, false, StatusOpen},
		{"no turn limit", StateOpen, TypeMessage, 1000, 0, Caps{MaxUSD: money.Dollar}, StateOpen, false, StatusOpen},
		{"budget reached", StateOpen, TypeMessage, 2, money.Dollar, caps, StateEnded, true, StatusBudgetCap},
		{"budget exceeded", StateOpen, TypePropose, 2, money.Dollar + 1, caps, StateEnded, true, StatusBudgetCap},
		{"budget just below", StateOpen, TypeMessage, 2, money.Dollar - 1, caps, StateOpen, false, StatusOpen},
		{"zero cap, free", StateOpen, TypeMessage, 2, 0, Caps{MaxTurns: 10}, StateOpen, false, StatusOpen},
		{"zero cap, spent", StateOpen, TypeMessage, 2, 1, Caps{MaxTurns: 10}, StateEnded, true, StatusBudgetCap},
		{"budget before turns", StateOpen, TypeMessage, 10, money.Dollar, caps, StateEnded, true, StatusBudgetCap},
		{"accept wins over limits", StateProposed, TypeAccept, 10, 2 * money.Dollar, caps, StateEnded, true, StatusAccepted},

		{"expire", StateOpen, LocalExpire, 3, 0, caps, StateEnded, true, StatusExpired},
		{"expire before open", StateNew, LocalExpire, 0, 0, caps, StateEnded, true, StatusExpired},
		{"fail", StateProposed, LocalFail, 3, 0, caps, StateEnded, true, StatusFailed},
		{"first not open", StateNew, TypeMessage, 1, 0, caps, StateEnded, true, StatusFailed},
		{"accept without proposal", StateOpen, TypeAccept, 2, 0, caps, StateEnded, true, StatusFailed},
		{"after the end", StateEnded, TypeMessage, 5, 0, caps, StateEnded, true, StatusFailed},
		{"unknown type", StateOpen, "counter", 2, 0, caps, StateEnded, true, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ended, st := Next(tt.s, tt.t, tt.turns, tt.spent, tt.c)
			if s != tt.want || ended != tt.ended || st != tt.st {
				t.Fatalf("Next = %s, %v, %s; want %s, %v, %s", s, ended, st, tt.want, tt.ended, tt.st)
			}
			if ended != st.Final() {
				t.Fatalf("ended %v but %s.Final() = %v", ended, st, st.Final())
			}
		})
	}
}
