package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// KeyView is how keys are printed (money as decimal strings, no secret).
type KeyView struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Scopes           []string `json:"scopes"`
	ResponseURL      string   `json:"response_url"`
	BudgetDaily      *string  `json:"budget_daily_usd"`
	BudgetMonthly    *string  `json:"budget_monthly_usd"`
	BudgetTotal      *string  `json:"budget_total_usd"`
	ThresholdPercent int      `json:"threshold_percent"`
	Revoked          bool     `json:"revoked"`
	CreatedAt        string   `json:"created_at"`
}

func viewKey(k access.Key) KeyView {
	usd := func(m money.Micro) *string {
		if m < 0 {
			return nil
		}
		s := m.Short()
		return &s
	}
	return KeyView{ID: k.ID, Name: k.Name, Scopes: k.Scopes, ResponseURL: k.ResponseURL,
		BudgetDaily: usd(k.BudgetDaily), BudgetMonthly: usd(k.BudgetMonthly), BudgetTotal: usd(k.BudgetTotal),
		ThresholdPercent: k.ThresholdPercent, Revoked: k.Revoked, CreatedAt: k.CreatedAt.Format("2006-01-02T15:04:05Z")}
}

// keyFlags are the settable key fields as flags.
type keyFlags struct {
	name, responseURL, scopes               string
	daily, monthly, total                   string
	noDaily, noMonthly, noTotal, noResponse bool
	threshold                               int
}

// register declares the flags; the --no-… flags, which remove a setting,
// only when update is set (a new key has nothing to remove).
func (f *keyFlags) register(fs *flag.FlagSet, update bool) {
	fs.StringVar(&f.name, "name", "", "key name")
	fs.StringVar(&f.responseURL, "response-url", "", "webhook URL for results (https, or an allow-listed host)")
	fs.StringVar(&f.scopes, "scopes", "", "comma-separated scopes, e.g. contacts:read,tasks:write (empty: all the member may do)")
	fs.StringVar(&f.daily, "budget-daily", "", "daily budget in USD (UTC day)")
	fs.StringVar(&f.monthly, "budget-monthly", "", "monthly budget in USD (UTC calendar month)")
	fs.StringVar(&f.total, "budget-total", "", "total budget in USD")
	fs.IntVar(&f.threshold, "threshold", 0, "soft threshold in percent of each budget (default 80)")
	if update {
		fs.BoolVar(&f.noDaily, "no-budget-daily", false, "remove the daily budget")
		fs.BoolVar(&f.noMonthly, "no-budget-monthly", false, "remove the monthly budget")
		fs.BoolVar(&f.noTotal, "no-budget-total", false, "remove the total budget")
		fs.BoolVar(&f.noResponse, "no-response-url", false, "remove the response URL")
	}
}

// apply sets the fields whose flags were given onto p.
func (f *keyFlags) apply(fs *flag.FlagSet, p *access.KeyParams) error {
	var err error
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	budget := func(flagName, value string, none bool, dst *money.Micro) {
		if err != nil {
			return
		}
		if none && set[flagName] {
			err = usagef("use either --%s or --no-%s", flagName, flagName)
			return
		}
		if none {
			*dst = budget.None
		} else if set[flagName] {
			var m money.Micro
			if m, err = money.Parse(value); err != nil {
				err = usagef("--%s: %v", flagName, err)
				return
			}
			*dst = m
		}
	}
	budget("budget-daily", f.daily, f.noDaily, &p.BudgetDaily)
	budget("budget-monthly", f.monthly, f.noMonthly, &p.BudgetMonthly)
	budget("budget-total", f.total, f.noTotal, &p.BudgetTotal)
	if err != nil {
		return err
	}
	if f.noResponse && set["response-url"] {
		return usagef("use either --response-url or --no-response-url")
	}
	if set["name"] {
		p.Name = f.name
	}
	if set["response-url"] {
		p.ResponseURL = f.responseURL
	}
	if f.noResponse {
		p.ResponseURL = ""
	}
	if set["scopes"] {
		p.Scopes = splitComma(f.scopes)
	}
	if set["threshold"] {
		if f.threshold == 0 { // KeyParams reads 0 as "the default, 80"
			return usagef("--threshold must be 1 to 100 percent")
		}
		p.ThresholdPercent = f.threshold
	}
	return nil
}

func splitComma(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runKeys(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 {
		return usagef("keys create|list|update ID|revoke ID|rotate-secret ID")
	}
	sub, args := args[0], args[1:]
	c := e.workspaceCommand("keys " + sub)
	fs, asJSON := c.FlagSet, c.json
	var kf keyFlags
	if sub == "create" || sub == "update" {
		kf.register(fs, sub == "update")
	}
	db, ws, pos, err := c.parseOpen(ctx, args, -1, "")
	if err != nil {
		return err
	}
	defer db.Close()
	check, err := urlChecker(e)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		p := access.KeyParams{BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: budget.None}
		if err := kf.apply(fs, &p); err != nil {
			return err
		}
		secrets := optionalWebhookSecrets(ctx, e, db)
		var k access.Key
		var secret string
		var whsec *string
		err = db.InTx(ctx, func(tx store.Tx) error {
			if k, secret, err = access.CreateKey(ctx, tx, ws, p, check, e.Now()); err != nil {
				return err
			}
			whsec, err = createSecret(ctx, tx, secrets, k.ID)
			return err
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, map[string]any{"id": k.ID, "api_key": secret, "webhook_secret": whsec, "key": viewKey(k)})
		}
		fmt.Fprintf(e.Stdout, "Key %s created. Shown once:\n  integration key: %s\n  webhook secret:  %s (verifies its deliveries: Standard Webhooks v1)\n", k.ID, secret, orNone(whsec))
		return nil
	case "rotate-secret":
		if len(pos) != 1 {
			return usagef("keys rotate-secret ID")
		}
		return rotateKeySecret(ctx, e, db, ws, pos[0], *asJSON)
	case "list":
		keys, err := access.ListKeys(ctx, db, ws)
		if err != nil {
			return err
		}
		return printList(e.Stdout, *asJSON, viewsOf(keys, viewKey), "", "ID\tNAME\tSCOPES\tDAILY\tMONTHLY\tTOTAL\tRESPONSE URL\tREVOKED",
			func(v KeyView) []any {
				return []any{v.ID, v.Name, strings.Join(v.Scopes, ","), orDash(v.BudgetDaily), orDash(v.BudgetMonthly), orDash(v.BudgetTotal), v.ResponseURL, v.Revoked}
			})
	case "update":
		if len(pos) != 1 {
			return usagef("keys update ID [flags]")
		}
		var k access.Key
		err := db.InTx(ctx, func(tx store.Tx) error {
			cur, err := access.GetKey(ctx, tx, ws, pos[0])
			if err != nil {
				return err
			}
			if cur.Revoked { // as the console refuses it
				return errs.E(errs.Conflict, "key %s is revoked; it cannot be changed", cur.ID)
			}
			p := cur.Params()
			if err := kf.apply(fs, &p); err != nil {
				return err
			}
			k, err = access.UpdateKey(ctx, tx, ws, cur.ID, p, check)
			return err
		})
		if err != nil {
			return err
		}
		if k.ResponseURL != "" {
			if err := webhook.NewQueue(db, e.Now).EnableURL(ctx, ws, k.ResponseURL); err != nil {
				return err
			}
		}
		if *asJSON {
			return printJSON(e.Stdout, viewKey(k))
		}
		fmt.Fprintf(e.Stdout, "Key %s updated.\n", k.ID)
		return nil
	case "revoke":
		if len(pos) != 1 {
			return usagef("keys revoke ID")
		}
		if err := access.RevokeKey(ctx, db, ws, pos[0], e.Now()); err != nil {
			return err
		}
		if *asJSON {
			k, err := access.GetKey(ctx, db, ws, pos[0])
			if err != nil {
				return err
			}
			return printJSON(e.Stdout, viewKey(k))
		}
		fmt.Fprintf(e.Stdout, "Key %s revoked.\n", pos[0])
		return nil
	}
	return usagef("unknown keys command %q (create, list, update, revoke, rotate-secret)", sub)
}

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return "$" + *s
}

// urlChecker validates response URLs like the node does.
func urlChecker(e *Env) (func(string) error, error) {
	cfg, err := config(e)
	if err != nil {
		return nil, err
	}
	return webhook.Guard{AllowHosts: cfg.WebhookAllowHosts}.CheckURL, nil
}
