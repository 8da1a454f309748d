package node

import (
	"context"
	"fmt"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/gemini"
	"github.com/soisnode/soisnode/agent/local"
	"github.com/soisnode/soisnode/agent/openai"
	"github.com/soisnode/soisnode/agent/price"
	"github.com/soisnode/soisnode/money"
)

// provider picks the model provider: an OpenAI-compatible server when
// SOIS_LLM_BASE_URL is set, else Gemini when GEMINI_API_KEY is set, else
// the built-in local agent (docs/providers.md).
func (n *Node) provider(ctx context.Context) (agent.Provider, agent.Pricer, error) {
	if n.cfg.Provider != nil {
		pricer := n.cfg.Pricer
		if pricer == nil {
			pricer = agent.FreePricer{}
		}
		return n.cfg.Provider, pricer, nil
	}
	if n.cfg.LLMBaseURL == "" && n.cfg.GeminiAPIKey == "" {
		return local.New(), agent.FreePricer{}, nil
	}
	table, err := price.Load(n.cfg.PricesFile)
	if err != nil {
		return nil, nil, fmt.Errorf("node: price table: %w", err)
	}
	pricer := TablePricer{Table: table}
	if n.cfg.LLMBaseURL != "" {
		return openai.New(openai.Config{APIKey: n.cfg.LLMAPIKey, BaseURL: n.cfg.LLMBaseURL, Model: n.cfg.Model, LegacyMaxTokens: n.cfg.LLMLegacyMax}), pricer, nil
	}
	p, err := gemini.New(ctx, gemini.Config{APIKey: n.cfg.GeminiAPIKey, Model: n.cfg.Model, BaseURL: n.cfg.GeminiBaseURL})
	if err != nil {
		return nil, nil, fmt.Errorf("node: gemini provider: %w", err)
	}
	return p, pricer, nil
}

// TablePricer prices model calls from a price table.
type TablePricer struct{ Table *price.Table }

// MaxCost implements agent.Pricer: price.PromptBound of the prompt plus
// the request's output limit, at the model's prices.
func (t TablePricer) MaxCost(model string, req agent.Request) (money.Micro, bool) {
	p, ok := t.Table.Lookup(model)
	if !ok {
		return 0, false
	}
	return p.MaxCost(price.PromptBound(req), int64(req.MaxOutputTokens)), true
}

// Cost implements agent.Pricer.
func (t TablePricer) Cost(model string, u agent.Usage) (money.Micro, bool) {
	p, ok := t.Table.Lookup(model)
	if !ok {
		return 0, false
	}
	return p.Cost(u), true
}
