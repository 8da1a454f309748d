package negotiate

import (
	"context"
	"regexp"
	"strings"

	"github.com/soisnode/soisnode/negotiation"
)

// Imports of the record kinds besides contacts, through this workspace's
// own tools (the opener's key and member), each change a receipt:
//
//   - tasks: through tasks_search / tasks_create / tasks_update. A task
//     is the same when its title is the same (case aside) and it was
//     assigned at the peer to the same person: the peer's assignee is not
//     a member here, so the import keeps it as the description's last
//     line ("Assigned at the peer to NAME."). A same task is updated
//     where its description or due date differs, else left alone.
//   - members (another organisation's people) become contacts, not
//     members: through the contact import (same email, else same name:
//     updated or left alone), with their team as a tag and their role and
//     team in the notes.

// importRecords imports received records of any kind through the tools.
func importRecords(ctx context.Context, s negotiation.Situation, recs negotiation.DataRecords) imported {
	switch recs.Kind {
	case negotiation.KindTasks:
		return importTasks(ctx, s.Tools, recs.Items)
	case negotiation.KindMembers:
		return importContacts(ctx, s.Tools, membersAsContacts(recs.Items, s.Negotiation.Peer))
	}
	return importContacts(ctx, s.Tools, recs.Items)
}

// membersAsContacts turns a peer's org members into contact records.
func membersAsContacts(items []map[string]any, peer string) []map[string]any {
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		str := func(k string) string { s, _ := it[k].(string); return strings.TrimSpace(s) }
		c := map[string]any{"name": str("name"), "email": str("email")}
		note := "A member of node " + peer
		if team := str("team"); team != "" {
			c["tags"] = []any{team}
			note += ", team " + team
		}
		if role := str("role"); role != "" {
			note += ", role " + role
		}
		c["notes"] = note + "."
		out = append(out, c)
	}
	return out
}

// assignedLine records the peer's assignee in an imported task.
func assignedLine(name string) string { return "Assigned at the peer to " + name + "." }

// taskArgs are tasks_create's fields for a received task.
func taskArgs(it map[string]any) (title string, args map[string]any) {
	str := func(k string) string { s, _ := it[k].(string); return strings.TrimSpace(s) }
	title = str("title")
	desc := str("description")
	if a := str("assignee_name"); a != "" {
		desc = strings.TrimSpace(desc + "\n\n" + assignedLine(a))
	}
	args = map[string]any{"title": title}
	if desc != "" {
		args["description"] = desc
	}
	if due := str("due"); reDate.MatchString(due) {
		args["due"] = due
	}
	return title, args
}

var reDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// importTasks adds received tasks through the task tools: the same task
// (title and the peer's assignee) is updated where it differs or left
// alone; a new one is created open.
func importTasks(ctx context.Context, tools negotiation.Tools, items []map[string]any) imported {
	var im imported
	for _, it := range items {
		title, args := taskArgs(it)
		if title == "" {
			continue
		}
		assignee, _ := it["assignee_name"].(string)
		existing, err := findTask(ctx, tools, title, strings.TrimSpace(assignee))
		if err != nil {
			im.failTool("tasks_create", title, err)
			continue
		}
		change := map[string]any{}
		for _, k := range []string{"description", "due"} {
			want, _ := args[k].(string)
			if have, _ := existing[k].(string); existing != nil && have != want {
				change[k] = want
			}
		}
		im.apply(ctx, tools, "tasks", title, existing, args, change)
	}
	return im
}

// findTask finds the task a received one duplicates: the same title, and
// the same assignee at the peer (or none).
func findTask(ctx context.Context, tools negotiation.Tools, title, assignee string) (map[string]any, error) {
	var page struct {
		Tasks []map[string]any `json:"tasks"`
	}
	query := title
	if len(query) > 200 {
		query = query[:200]
	}
	if err := call(ctx, tools, "tasks_search", map[string]any{"query": query, "limit": 100}, &page); err != nil {
		return nil, err
	}
	for _, t := range page.Tasks {
		tt, _ := t["title"].(string)
		desc, _ := t["description"].(string)
		if !strings.EqualFold(strings.TrimSpace(tt), title) {
			continue
		}
		if assignee == "" && !strings.Contains(desc, "Assigned at the peer to ") ||
			assignee != "" && strings.HasSuffix(strings.TrimSpace(desc), assignedLine(assignee)) {
			return t, nil
		}
	}
	return nil, nil
}

// recordRequest is parseRecordRequest, also reading a team named in lower
// case ("members of the sales team").
func recordRequest(text string) (negotiation.DataRequest, bool) {
	r, ok := parseRecordRequest(text)
	if ok && r.Records == negotiation.KindMembers && r.Filter.Team == "" {
		if m := reTeamLower.FindStringSubmatch(text); m != nil && !strings.EqualFold(m[1], "the") {
			r.Filter.Team = strings.TrimRight(strings.TrimSpace(m[1]), ".,;:!?'-")
		}
	}
	return r, ok
}

var reTeamLower = regexp.MustCompile(`(?i)\b(?:of|in|on)\s+(?:the\s+|our\s+|your\s+)?([a-z][\w&'-]*)\s+team\b`)

func (im *imported) failTool(tool, name string, err error) {
	im.fail(name, err)
	im.receipts[len(im.receipts)-1].Tool = tool
}
