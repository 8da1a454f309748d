package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/budget"
)

// BudgetStatus is the body of GET /api/agent/budget.
type BudgetStatus struct {
	KeyID   string              `json:"key_id" doc:"The integration key"`
	Budgets []budget.WindowJSON `json:"budgets" doc:"Each budget set on the key; empty when none is set"`
}

type budgetOutput struct {
	Body BudgetStatus
}

func (n *Server) registerBudget(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-budget", Method: http.MethodGet, Path: "/api/agent/budget",
		Summary:     "Get the key's budgets",
		Description: "Each budget of the integration key (daily, monthly, total) with its limit, spent, reserved (held for model calls in flight), remaining and resets_at (UTC; none for total). Money is a decimal string in USD.",
		Tags:        []string{"Agent"}, Security: securityBoth, Errors: []int{401, 429},
	}, func(ctx context.Context, _ *struct{}) (*budgetOutput, error) {
		pr := principal(ctx)
		ws, err := n.budgets.Status(ctx, pr.Key.Limits())
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &budgetOutput{Body: BudgetStatus{KeyID: pr.Key.ID, Budgets: budget.JSONs(ws)}}, nil
	})
}
