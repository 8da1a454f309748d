package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// userError is the message a form shows for err: the error's own words
// for what the member can fix (invalid, conflict, not found…), a generic
// sentence (and a log line) for anything else.
func (c *Console) userError(r *http.Request, err error) string {
	switch {
	case errs.Is(err, errs.Invalid), errs.Is(err, errs.Conflict), errs.Is(err, errs.NotFound), errs.Is(err, errs.Unauthorized), errs.Is(err, errs.Forbidden):
		return errs.Message(err)
	}
	c.cfg.Log.Error("console: request failed", "path", r.URL.Path, "err", err)
	return "Something went wrong on the node; nothing was changed. The error is in the node's log."
}

// isNotFound reports whether err means the record is not in the member's
// workspace (the page then answers 404).
func isNotFound(err error) bool { return errs.Is(err, errs.NotFound) }

// pathRecord reads the record the path's id names, in m's workspace only,
// with get. When it cannot, it has answered (failRead, title naming the
// record) and ok is false.
func pathRecord[T any](c *Console, w http.ResponseWriter, r *http.Request, m Member, title string,
	get func(ctx context.Context, q store.Querier, workspaceID, id string) (T, error)) (rec T, ok bool) {
	rec, err := get(r.Context(), c.cfg.DB, m.WorkspaceID, r.PathValue("id"))
	if err != nil {
		c.failRead(w, r, title, err)
		return rec, false
	}
	return rec, true
}

// failRead answers a failed read of the record a page's path names: an
// unknown id (or another workspace's) is the not-found page, any other
// failure the error page titled title.
func (c *Console) failRead(w http.ResponseWriter, r *http.Request, title string, err error) {
	if isNotFound(err) {
		c.notFound(w, r)
		return
	}
	c.fail(w, r, http.StatusInternalServerError, title, c.userError(r, err))
}

// dollars parses a budget field: empty is no budget (budget.None).
func dollars(field, s string) (money.Micro, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "$"))
	if s == "" {
		return budget.None, nil
	}
	m, err := money.Parse(s)
	if err != nil || m < 0 {
		return 0, errs.E(errs.Invalid, "the %s budget must be a dollar amount like 1 or 2.50 (at most 6 decimals), or empty for none", field)
	}
	return m, nil
}

// dollarsField shows a budget in its form field ("" for none).
func dollarsField(m money.Micro) string {
	if m < 0 {
		return ""
	}
	return m.Short()
}

// splitList splits a comma- or space-separated field.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
