package negotiate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"

	"github.com/soisnode/soisnode/negotiation"
)

// imported counts what an import did, with the tools' receipts.
type imported struct {
	created, updated, unchanged, failed []string
	receipts                            []workspace.Receipt
}

func (im imported) text() string {
	part := func(verb string, names []string) string {
		if len(names) == 0 {
			return ""
		}
		return fmt.Sprintf("%s %d (%s)", verb, len(names), strings.Join(names, ", "))
	}
	var parts []string
	for _, p := range []string{part("created", im.created), part("updated", im.updated), part("already up to date", im.unchanged), part("could not import", im.failed)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "Nothing to import."
	}
	return "Imported here: " + strings.Join(parts, "; ") + "."
}

// importContacts adds received contacts through the contact tools: one
// with the same email (else, with no email, the same name) is updated
// where a field differs or left alone; a new one is created. Every change
// is a receipt written by the tool.
func importContacts(ctx context.Context, tools negotiation.Tools, items []map[string]any) imported {
	var im imported
	for _, it := range items {
		fields := contactArgs(it)
		name, _ := fields["name"].(string)
		if name == "" {
			continue
		}
		existing, err := findExisting(ctx, tools, fields)
		if err != nil {
			im.fail(name, err)
			continue
		}
		change := map[string]any{}
		for k, v := range fields {
			if existing != nil && !sameValue(existing[k], v) {
				change[k] = v
			}
		}
		im.apply(ctx, tools, "contacts", name, existing, fields, change)
	}
	return im
}

// apply creates a received record through family's tools (existing nil)
// or changes the fields in change (none: it is left alone), and records
// the outcome under name with the tool's receipts.
func (im *imported) apply(ctx context.Context, tools negotiation.Tools, family, name string, existing, create, change map[string]any) {
	tool, args, into := family+"_create", create, &im.created
	if existing != nil {
		if len(change) == 0 {
			im.unchanged = append(im.unchanged, name)
			return
		}
		change["id"] = existing["id"]
		tool, args, into = family+"_update", change, &im.updated
	}
	res, err := callRaw(ctx, tools, tool, args)
	if err != nil {
		im.failTool(tool, name, err)
		return
	}
	*into = append(*into, name)
	im.receipts = append(im.receipts, res.Actions...)
}

func (im *imported) fail(name string, err error) {
	im.failed = append(im.failed, name)
	im.receipts = append(im.receipts, workspace.Receipt{Tool: "contacts_create", OK: false, Summary: "Could not import " + name + ": " + errs.Message(err)})
}

// contactArgs keeps the contact tools' fields of a received record, as
// the types those tools take (strings; tags a list of strings).
func contactArgs(it map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range contactFieldNames {
		switch v := it[f].(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" {
				out[f] = s
			}
		case []any:
			if f != "tags" {
				continue
			}
			tags := []string{}
			for _, t := range v {
				if s, ok := t.(string); ok && strings.TrimSpace(s) != "" {
					tags = append(tags, strings.TrimSpace(s))
				}
			}
			if len(tags) > 0 {
				out[f] = tags
			}
		}
	}
	return out
}

// findExisting finds the contact a received record duplicates: the same
// email, else (no email) the same name.
func findExisting(ctx context.Context, tools negotiation.Tools, fields map[string]any) (map[string]any, error) {
	email, _ := fields["email"].(string)
	name, _ := fields["name"].(string)
	args := map[string]any{"limit": 100}
	if email != "" {
		args["email"] = email
	} else {
		args["name"] = name
	}
	var page struct {
		Contacts []map[string]any `json:"contacts"`
	}
	if err := call(ctx, tools, "contacts_search", args, &page); err != nil {
		return nil, err
	}
	for _, c := range page.Contacts {
		ce, _ := c["email"].(string)
		cn, _ := c["name"].(string)
		if (email != "" && strings.EqualFold(ce, email)) || (email == "" && ce == "" && strings.EqualFold(cn, name)) {
			return c, nil
		}
	}
	return nil, nil
}

func sameValue(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func callRaw(ctx context.Context, tools negotiation.Tools, name string, args map[string]any) (workspace.Result, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return workspace.Result{}, err
	}
	return tools.Call(ctx, name, raw)
}
