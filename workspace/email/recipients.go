package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// hasControl reports whether s holds a control character. CR and LF in a
// header value would let a caller add headers or recipients of their own.
func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }

// checkHeader rejects header text that could inject headers.
func checkHeader(field, s string) error {
	if hasControl(s) {
		return errs.E(errs.Invalid, "%s %q contains line breaks or control characters", field, s)
	}
	return nil
}

// parseAddress parses one address, "jane@acme.example" or
// "Jane Doe <jane@acme.example>".
func parseAddress(s string) (*mail.Address, error) {
	if err := checkHeader("address", s); err != nil {
		return nil, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil || !strings.Contains(a.Address, "@") {
		return nil, errs.E(errs.Invalid, "%q is not a valid email address", s)
	}
	return a, nil
}

// resolve turns to/cc entries (addresses, contact ids, member ids) into
// addresses. Ids are looked up in ws only; an unknown one is NotFound.
func resolve(ctx context.Context, q store.Querier, ws string, entries []string) ([]*mail.Address, error) {
	out := make([]*mail.Address, 0, len(entries))
	for _, raw := range entries {
		s := strings.TrimSpace(raw)
		if err := checkHeader("recipient", raw); err != nil {
			return nil, err
		}
		if s == "" {
			return nil, errs.E(errs.Invalid, "a recipient is empty")
		}
		if strings.Contains(s, "@") {
			a, err := parseAddress(s)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
			continue
		}
		a, err := lookup(ctx, q, ws, s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// lookup finds the address of member or contact id in ws.
func lookup(ctx context.Context, q store.Querier, ws, id string) (*mail.Address, error) {
	var name, addr string
	kind := "member"
	err := q.QueryRow(ctx, `SELECT name, email FROM members WHERE workspace_id = ? AND id = ?`, ws, id).Scan(&name, &addr)
	if errors.Is(err, store.ErrNoRows) {
		kind = "contact"
		err = q.QueryRow(ctx, `SELECT name, email FROM contacts WHERE workspace_id = ? AND id = ?`, ws, id).Scan(&name, &addr)
	}
	if errors.Is(err, store.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "recipient %q is not an email address, nor a contact or member of this workspace", id)
	}
	if err != nil {
		return nil, fmt.Errorf("email: look up recipient %s: %w", id, err)
	}
	if strings.TrimSpace(addr) == "" {
		return nil, errs.E(errs.Invalid, "%s %s (%s) has no email address", kind, id, name)
	}
	if hasControl(name) {
		name = ""
	}
	a, err := parseAddress(addr)
	if err != nil {
		return nil, errs.E(errs.Invalid, "%s %s (%s) has an invalid email address %q", kind, id, name, addr)
	}
	if a.Name == "" {
		a.Name = strings.TrimSpace(name)
	}
	return a, nil
}

// dedupe drops repeated addresses (ignoring case), keeping the first, and
// those already in seen; it adds what it keeps to seen.
func dedupe(as []*mail.Address, seen map[string]bool) []*mail.Address {
	out := as[:0]
	for _, a := range as {
		k := strings.ToLower(a.Address)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, a)
	}
	return out
}

// formatAll renders addresses for storage and display.
func formatAll(as []*mail.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = display(a)
	}
	return out
}

// display renders a for people: "Jane Doe <jane@acme.example>", unencoded.
func display(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return fmt.Sprintf("%s <%s>", a.Name, a.Address)
}
