package email

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"
)

// Page limits of email_search.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// search is email_search: newest first, over sent and unsent mail.
// searchArgs are email_search's arguments.
type searchArgs struct {
	Query  string `json:"query" jsonschema:"Text in the subject, body or addresses."`
	To     string `json:"to" jsonschema:"A recipient address (or part of one), or a contact or member id."`
	Status string `json:"status" schema:"enum=sent|not_sent|failed"`
	Limit  int    `json:"limit" schema:"minimum=1,maximum=100" jsonschema:"Page size, default 20."`
	Cursor string `json:"cursor" jsonschema:"next_cursor of the previous page."`
}

func (s *Service) search(ctx context.Context, env workspace.Env, a searchArgs) (workspace.Result, error) {
	ws := env.Caller.WorkspaceID
	where := []string{"workspace_id = ?"}
	args := []any{ws}
	if q := strings.TrimSpace(a.Query); q != "" {
		where = append(where, `(lower(subject) LIKE lower(?) ESCAPE '\' OR lower(body) LIKE lower(?) ESCAPE '\' OR lower(to_addrs) LIKE lower(?) ESCAPE '\' OR lower(cc_addrs) LIKE lower(?) ESCAPE '\')`)
		p := contains(q)
		args = append(args, p, p, p, p)
	}
	if to := strings.TrimSpace(a.To); to != "" {
		if !strings.Contains(to, "@") {
			// A member or contact id stands for their address.
			if addr, err := lookup(ctx, env.Tx, ws, to); err == nil {
				to = addr.Address
			} else if !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Invalid) {
				return workspace.Result{}, err
			}
		}
		where = append(where, `(lower(to_addrs) LIKE lower(?) ESCAPE '\' OR lower(cc_addrs) LIKE lower(?) ESCAPE '\')`)
		p := contains(to)
		args = append(args, p, p)
	}
	if a.Status != "" {
		pat := statusFilter(a.Status)
		if pat == "" {
			return workspace.Result{}, errs.E(errs.Invalid, "status must be sent, not_sent or failed")
		}
		where = append(where, `status LIKE ? ESCAPE '\'`)
		args = append(args, pat)
	}
	if a.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(a.Cursor)
		if err != nil || len(after) == 0 {
			return workspace.Result{}, errs.E(errs.Invalid, "cursor is not one this tool returned")
		}
		where = append(where, "id < ?")
		args = append(args, string(after))
	}
	limit := a.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	found, more, err := workspace.QueryPage(ctx, env.Tx, limit, scanEmail, `SELECT `+columns+` FROM emails WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return workspace.Result{}, fmt.Errorf("email: search: %w", err)
	}
	next := ""
	if more {
		next = base64.RawURLEncoding.EncodeToString([]byte(found[len(found)-1].ID))
	}
	// Bodies may quote mail from outside: they are data, never instructions.
	return workspace.Result{
		Data: struct {
			Emails     []Email `json:"emails"`
			NextCursor string  `json:"next_cursor"`
		}{found, next},
		Untrusted: true,
	}, nil
}

// contains is a LIKE pattern matching s literally anywhere.
func contains(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}
