package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/money"
)

// chartDays is the span of the Budgets page's spend chart.
const chartDays = 30

type budgetRow struct {
	Key     access.Key
	Windows []budget.Window
	Days    []budget.Day
	Chart   template.HTML
	Spent30 money.Micro
}

func (c *Console) budgetsPage(w http.ResponseWriter, r *http.Request, m Member) {
	ctx := r.Context()
	keys, err := access.ListKeys(ctx, c.cfg.DB, m.WorkspaceID)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Budgets", c.userError(r, err))
		return
	}
	rows := []budgetRow{}
	for _, k := range keys {
		if k.Revoked {
			continue
		}
		ws, err := c.cfg.Budgets.Status(ctx, k.Limits())
		if err != nil {
			c.fail(w, r, http.StatusInternalServerError, "Budgets", c.userError(r, err))
			return
		}
		days, err := c.cfg.Budgets.History(ctx, k.ID, chartDays)
		if err != nil {
			c.fail(w, r, http.StatusInternalServerError, "Budgets", c.userError(r, err))
			return
		}
		row := budgetRow{Key: k, Windows: ws, Days: days, Chart: spendChart(k, days)}
		for _, d := range days {
			row.Spent30 += d.Spent
		}
		rows = append(rows, row)
	}
	c.page(w, r, http.StatusOK, "Budgets", "budgets", rows)
}

// spendChart draws days as an SVG bar chart: one bar per day, the highest
// day's spend as the scale, with a text alternative. Only presentation
// attributes (no style), so the page's CSP holds.
func spendChart(k access.Key, days []budget.Day) template.HTML {
	const w, h, pad = 600, 160, 20
	var top money.Micro
	for _, d := range days {
		top = max(top, d.Spent)
	}
	if k.BudgetDaily > top {
		top = k.BudgetDaily
	}
	var b strings.Builder
	total := money.Micro(0)
	for _, d := range days {
		total += d.Spent
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-%s-t" xmlns="http://www.w3.org/2000/svg">`, w, h+pad, k.ID)
	fmt.Fprintf(&b, `<title id="chart-%s-t">Spend per day over the last %d days: %s in all</title>`, k.ID, len(days), template.HTMLEscapeString("$"+total.Short()))
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="currentColor" stroke-width="1"/>`, h, w, h)
	slot := float64(w) / float64(len(days))
	for i, d := range days {
		bh := 0.0
		if top > 0 {
			bh = float64(d.Spent) / float64(top) * float64(h-pad)
		}
		if d.Spent > 0 && bh < 2 {
			bh = 2 // a spend too small to see still shows
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2a6fdb"><title>%s: %s</title></rect>`,
			float64(i)*slot+1, float64(h)-bh, slot-2, bh, d.Start.Format("Jan 2"), template.HTMLEscapeString("$"+d.Spent.Short()))
	}
	if k.BudgetDaily > 0 && top > 0 {
		y := float64(h) - float64(k.BudgetDaily)/float64(top)*float64(h-pad)
		fmt.Fprintf(&b, `<line x1="0" y1="%.1f" x2="%d" y2="%.1f" stroke="#c0392b" stroke-dasharray="4 3" stroke-width="1"><title>Daily limit %s</title></line>`,
			y, w, y, template.HTMLEscapeString("$"+k.BudgetDaily.Short()))
	}
	if len(days) > 0 {
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12" fill="currentColor">%s</text>`, h+pad-4, days[0].Start.Format("Jan 2"))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="currentColor">%s (today)</text>`, w, h+pad-4, days[len(days)-1].Start.Format("Jan 2"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: built from numbers and escaped text
}
