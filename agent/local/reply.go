package local

import (
	"fmt"
	"strings"
)

// Replies describe records only as tool results returned them, so a reply
// never claims more than the workspace did.

// shownInReply is how many records a list reply names.
const shownInReply = 20

// contactName is a contact's name, or its id when it has none.
func contactName(c obj) string {
	if n := c.str("name"); n != "" {
		return n
	}
	if id := c.str("id"); id != "" {
		return "contact " + id
	}
	return "the contact"
}

// contactLine is "Jane Doe (CEO, Acme Corp, jane@acme.com)".
func contactLine(c obj) string {
	var d []string
	for _, k := range []string{"title", "company", "email", "phone", "city"} {
		if v := c.str(k); v != "" {
			d = append(d, v)
		}
	}
	if tags := c.strs("tags"); len(tags) > 0 {
		d = append(d, "tags "+strings.Join(tags, ", "))
	}
	return withDetails(contactName(c), d)
}

// taskTitle is a task's quoted title.
func taskTitle(t obj) string {
	if s := t.str("title"); s != "" {
		return fmt.Sprintf("%q", s)
	}
	return "task " + t.str("id")
}

// taskLine is `"Send Q1 report" (open, due 2026-12-05)`.
func taskLine(t obj) string {
	var d []string
	if s := t.str("status"); s != "" {
		d = append(d, strings.ReplaceAll(s, "_", " "))
	}
	if s := t.str("due"); s != "" {
		d = append(d, "due "+s)
	}
	if s := t.str("assignee_name"); s != "" {
		d = append(d, "assigned to "+s)
	}
	return withDetails(taskTitle(t), d)
}

// fileName is a file's or folder's name.
func fileName(f obj) string {
	if s := f.str("name"); s != "" {
		return s
	}
	return "item " + f.str("id")
}

// isFolder reports whether a files result is a folder.
func isFolder(f obj) bool {
	k := strings.ToLower(f.str("kind") + f.str("type"))
	return strings.Contains(k, "folder") || strings.Contains(k, "dir")
}

// fileLine is "Q1 report.pdf (120 KB)" or "Contracts (folder)".
func fileLine(f obj) string {
	if isFolder(f) {
		return fileName(f) + " (folder)"
	}
	if n := f.num("size"); n > 0 {
		return fmt.Sprintf("%s (%s)", fileName(f), size(n))
	}
	return fileName(f)
}

func size(n float64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", n/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", n/(1<<10))
	}
	return fmt.Sprintf("%.0f bytes", n)
}

// memberName is a member's name, or email, or id.
func memberName(m obj) string {
	for _, k := range []string{"name", "email"} {
		if s := m.str(k); s != "" {
			return s
		}
	}
	return "member " + m.str("id")
}

// memberLine is "Maria Garcia (maria@example.com, admin)".
func memberLine(m obj) string {
	var d []string
	if s := m.str("email"); s != "" && s != memberName(m) {
		d = append(d, s)
	}
	if s := m.str("role"); s != "" {
		d = append(d, s)
	}
	return withDetails(memberName(m), d)
}

func withDetails(head string, details []string) string {
	if len(details) == 0 {
		return head
	}
	return head + " (" + strings.Join(details, ", ") + ")"
}

// listOf joins at most shownInReply items with "; " and says how many
// more there are.
func listOf(items []string) string {
	if len(items) <= shownInReply {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:shownInReply], "; ") + fmt.Sprintf("; and %d more", len(items)-shownInReply)
}

// namesOf lists records by a naming function, comma-separated.
func namesOf(recs []obj, name func(obj) string, max int) string {
	var out []string
	for i, o := range recs {
		if i == max {
			out = append(out, fmt.Sprintf("and %d more", len(recs)-max))
			break
		}
		out = append(out, name(o))
	}
	return strings.Join(out, ", ")
}

// count is "1 contact" or "3 contacts".
func count(n int, k kind) string {
	if n == 1 {
		return "1 " + k.one
	}
	return fmt.Sprintf("%d %s", n, k.many)
}

// lines maps records to display lines.
func lines(recs []obj, line func(obj) string) []string {
	out := make([]string, len(recs))
	for i, o := range recs {
		out[i] = line(o)
	}
	return out
}

// morePages is appended when a search had more results than it returned.
const morePages = " There are more; narrow the request to see them."
