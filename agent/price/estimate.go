package price

import "github.com/soisnode/soisnode/agent"

// Prompt size constants. The fixed overheads cover the role markers and
// wrappers each provider adds around messages, calls and tools.
const (
	// BytesPerToken is the estimate's ratio: tokenizers average about four
	// bytes of English or JSON per token, and three keeps the estimate
	// above that for the text the agent sends.
	BytesPerToken   = 3
	RequestOverhead = 16 // tokens per request (framing, system wrapper)
	MessageOverhead = 8  // tokens per message (role, separators)
	PartOverhead    = 8  // tokens per tool call or tool result (name, id, wrapper)
	ToolOverhead    = 16 // tokens per declared tool (declaration wrapper)
)

// PromptBound is an upper bound of the prompt tokens req can be billed
// for, the amount the agent reserves before a call:
//
//	RequestOverhead + system
//	+ Σ messages (MessageOverhead + text
//	              + Σ calls   (PartOverhead + name + args)
//	              + Σ results (PartOverhead + name + content))
//	+ Σ tools (ToolOverhead + name + description + schema)
//
// where every size is in bytes: one token per byte. Every token of a
// byte-level tokenizer (GPT's BPE, Gemini's SentencePiece with byte
// fallback) covers at least one byte of the text, so text of n bytes is at
// most n tokens whatever the language or tokenizer; the overheads bound
// the markers a provider adds. A provider that bills more than this is
// over-reporting, and the agent stops the turn (docs/budgets.md).
func PromptBound(req agent.Request) int64 { return size(req, 1) }

// EstimateTokens is a realistic, still generous, estimate of the prompt
// tokens of req: PromptBound's formula with ⌈bytes/BytesPerToken⌉ for
// each size. It is for reports (the token benchmarks), never for money:
// scripts that spend more than one token per three bytes, such as some
// CJK text, exceed it.
func EstimateTokens(req agent.Request) int64 { return size(req, BytesPerToken) }

// size applies the formula of PromptBound with bytesPerToken.
func size(req agent.Request, bytesPerToken int64) int64 {
	tokens := func(bytes int) int64 { return (int64(bytes) + bytesPerToken - 1) / bytesPerToken }
	n := RequestOverhead + tokens(len(req.System))
	for _, m := range req.Messages {
		n += MessageOverhead + tokens(len(m.Text))
		for _, c := range m.Calls {
			n += PartOverhead + tokens(len(c.Name)+len(c.Args))
		}
		for _, r := range m.Results {
			n += PartOverhead + tokens(len(r.Name)+len(r.Content))
		}
	}
	for _, t := range req.Tools {
		n += ToolOverhead + tokens(len(t.Name)+len(t.Description)+len(t.Schema))
	}
	return n
}

func ceilTokens(bytes int) int64 {
	return (int64(bytes) + BytesPerToken - 1) / BytesPerToken
}
