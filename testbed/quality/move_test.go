package quality

import (
	"encoding/json"

	"github.com/soisnode/soisnode/negotiation"
)

type moveT struct {
	typ  string
	data json.RawMessage
}

func (m moveT) move() negotiation.Move {
	return negotiation.Move{Type: negotiation.Type(m.typ), Data: m.data}
}
