package agent

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/soisnode/soisnode/conversation"
)

// Compaction shrinks the earlier turns a follow-up turn sends the model
// (docs/tools.md, "What the model sees"): the last Verbatim earlier turns
// go as recorded; in older ones, every tool result and tool-call argument
// object longer than MaxBytes is replaced by a short stand-in, so a long
// conversation does not resend every search result it ever saw. The
// messages themselves (what the caller asked, what the model answered)
// are always kept.
type Compaction struct {
	Verbatim int // earlier turns sent verbatim; default 2
	MaxBytes int // the longest result or argument object kept in older turns; default 300
}

// DefaultCompaction is the compaction a node applies for a real model.
var DefaultCompaction = Compaction{Verbatim: 2, MaxBytes: 300}

func (c Compaction) withDefaults() Compaction {
	if c.Verbatim <= 0 {
		c.Verbatim = DefaultCompaction.Verbatim
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultCompaction.MaxBytes
	}
	return c
}

// History is the model context a turn starts from: the conversation's
// turns up to turn (at most keep earlier ones) with their recorded steps,
// compacted with compact when it is not nil (with its defaults).
func History(turns []conversation.Turn, steps []conversation.Step, turn, keep int, compact *Compaction) ([]Message, error) {
	if compact != nil {
		c := compact.withDefaults()
		compact = &c
	}
	p, err := rebuild(turns, steps, turn, keep, compact)
	return p.messages, err
}

// compactMessages shrinks msgs (one older turn's messages) in place.
func (c Compaction) compactMessages(msgs []Message) {
	for i := range msgs {
		for j := range msgs[i].Results {
			msgs[i].Results[j].Content = c.shrink(msgs[i].Results[j].Content)
		}
		if len(msgs[i].Calls) > 0 {
			calls := append([]ToolCall(nil), msgs[i].Calls...)
			for j := range calls {
				calls[j].Args = c.shrink(calls[j].Args)
			}
			msgs[i].Calls = calls
		}
	}
}

// shrink keeps a JSON object up to MaxBytes; a longer one becomes
// {"compacted":true,"bytes":N,"head":"<its first bytes>"}, still an
// object, as providers require of results and arguments.
func (c Compaction) shrink(v json.RawMessage) json.RawMessage {
	if len(v) <= c.MaxBytes {
		return v
	}
	head := v[:c.MaxBytes/2]
	for len(head) > 0 && !utf8.Valid(head) {
		head = head[:len(head)-1]
	}
	out, err := json.Marshal(struct {
		Compacted bool   `json:"compacted"`
		Bytes     int    `json:"bytes"`
		Head      string `json:"head"`
	}{true, len(v), string(head) + "…"})
	if err != nil {
		return v
	}
	return out
}
