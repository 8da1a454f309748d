package price

import "github.com/soisnode/soisnode/agent"

// Estimate constants. Tokenizers average about four bytes of English or
// JSON per token; counting three keeps the estimate above the real count
// for the text the agent sends, and the fixed overheads cover the role
// markers and wrappers each provider adds around messages, calls and tools.
const (
	BytesPerToken   = 3  // bytes of text counted as one token
	RequestOverhead = 16 // tokens per request (framing, system wrapper)
	MessageOverhead = 8  // tokens per message (role, separators)
	PartOverhead    = 8  // tokens per tool call or tool result (name, id, wrapper)
	ToolOverhead    = 16 // tokens per declared tool (declaration wrapper)
)

// EstimateTokens is a conservative estimate of the prompt tokens req will
// be billed for, computed before the call to reserve its maximum cost:
//
//	RequestOverhead + ⌈system/3⌉
//	+ Σ messages (MessageOverhead + ⌈text/3⌉
//	              + Σ calls   (PartOverhead + ⌈name+args/3⌉)
//	              + Σ results (PartOverhead + ⌈name+content/3⌉))
//	+ Σ tools (ToolOverhead + ⌈name+description+schema/3⌉)
//
// where sizes are in bytes. It deliberately overestimates (the settled cost
// uses the provider's reported usage); scripts that spend more than one token
// per three bytes, such as some CJK text, may be underestimated.
func EstimateTokens(req agent.Request) int64 {
	n := RequestOverhead + ceilTokens(len(req.System))
	for _, m := range req.Messages {
		n += MessageOverhead + ceilTokens(len(m.Text))
		for _, c := range m.Calls {
			n += PartOverhead + ceilTokens(len(c.Name)+len(c.Args))
		}
		for _, r := range m.Results {
			n += PartOverhead + ceilTokens(len(r.Name)+len(r.Content))
		}
	}
	for _, t := range req.Tools {
		n += ToolOverhead + ceilTokens(len(t.Name)+len(t.Description)+len(t.Schema))
	}
	return n
}

func ceilTokens(bytes int) int64 {
	return (int64(bytes) + BytesPerToken - 1) / BytesPerToken
}
