package gemini

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/genai"

	"github.com/soisnode/soisnode/agent"
)

// fromResponse maps the first candidate to a model message: text parts
// (thoughts excluded) joined into Text, functionCall parts into Calls. A call
// keeps the server's id; one without gets "c<n>", n counting from 1 within
// this response. Response.Model is the server's modelVersion when it
// reports one, else the requested model.
func fromResponse(resp *genai.GenerateContentResponse, model string) (agent.Response, error) {
	out := agent.Response{
		Message: agent.Message{Role: agent.RoleModel},
		Usage:   usage(resp.UsageMetadata),
		Model:   cmp.Or(resp.ModelVersion, model),
	}
	if len(resp.Candidates) == 0 || resp.Candidates[0] == nil {
		reason := "no candidates"
		if f := resp.PromptFeedback; f != nil && f.BlockReason != "" {
			reason = "prompt blocked: " + string(f.BlockReason)
			if f.BlockReasonMessage != "" {
				reason += ": " + f.BlockReasonMessage
			}
		}
		return out, fmt.Errorf("gemini: %s", reason)
	}
	cand := resp.Candidates[0]
	var text strings.Builder
	if cand.Content != nil {
		for _, part := range cand.Content.Parts {
			switch {
			case part == nil || part.Thought:
			case part.FunctionCall != nil:
				call, err := toCall(part.FunctionCall, len(out.Message.Calls)+1)
				if err != nil {
					return out, err
				}
				out.Message.Calls = append(out.Message.Calls, call)
			default:
				text.WriteString(part.Text)
			}
		}
	}
	out.Message.Text = text.String()
	if out.Message.Text == "" && len(out.Message.Calls) == 0 {
		switch cand.FinishReason {
		case "", genai.FinishReasonStop, genai.FinishReasonMaxTokens:
		default:
			msg := string(cand.FinishReason)
			if cand.FinishMessage != "" {
				msg += ": " + cand.FinishMessage
			}
			return out, fmt.Errorf("gemini: no answer (finish reason %s)", msg)
		}
	}
	return out, nil
}

func toCall(fc *genai.FunctionCall, n int) (agent.ToolCall, error) {
	args := fc.Args
	if args == nil {
		args = map[string]any{}
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return agent.ToolCall{}, fmt.Errorf("gemini: call %s args: %w", fc.Name, err)
	}
	id := fc.ID
	if id == "" {
		id = fmt.Sprintf("c%d", n)
	}
	return agent.ToolCall{ID: id, Name: fc.Name, Args: raw}, nil
}

// usage maps Gemini's counts: the prompt (which includes cached tokens)
// plus tool-use prompt tokens as input, candidates plus thoughts as output,
// because thinking tokens are billed at the output rate.
func usage(u *genai.GenerateContentResponseUsageMetadata) agent.Usage {
	if u == nil {
		return agent.Usage{}
	}
	return agent.Usage{
		InputTokens:       int64(u.PromptTokenCount) + int64(u.ToolUsePromptTokenCount),
		CachedInputTokens: int64(u.CachedContentTokenCount),
		OutputTokens:      int64(u.CandidatesTokenCount) + int64(u.ThoughtsTokenCount),
	}
}
