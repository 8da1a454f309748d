package negotiate

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/soisnode/soisnode/agent/local/recognise"
	"github.com/soisnode/soisnode/negotiation"
)

// Negotiator is the local agent's side of an exchange between nodes:
// offline, deterministic and free. As the opener it asks for records,
// answers the peer's clarifying questions, imports what it receives when
// the goal says so, and accepts or closes. As the responder it answers a
// request for records with the records its peer's policy lets it read,
// asks which one when the request is ambiguous, and declines what the
// policy forbids with the reason. Like the provider it keeps no state:
// each move is a function of the transcript and the tools' answers.
type Negotiator struct{}

var _ negotiation.Agent = Negotiator{}

// maxQuestions is how many clarifying questions either side asks or
// answers in one exchange before it settles for what it has.
const maxQuestions = 2

// Move implements negotiation.Agent.
func (Negotiator) Move(ctx context.Context, s negotiation.Situation) (negotiation.Move, error) {
	if err := ctx.Err(); err != nil {
		return negotiation.Move{}, err
	}
	if g, ok := ownGame(s.Negotiation); ok { // a divide-the-items game (divide.go)
		return divideMove(s, g), nil
	}
	if s.Negotiation.Role == negotiation.RoleResponder {
		return respond(ctx, s), nil
	}
	return openerMove(ctx, s), nil
}

// ---- the responder ----

func respond(ctx context.Context, s negotiation.Situation) negotiation.Move {
	n := s.Negotiation
	if len(n.Turns) == 0 {
		return closeMove("There is nothing to answer.")
	}
	open := n.Turns[0]
	if destructive(open.Text) {
		return negotiation.Move{Type: negotiation.TypeReject,
			Text: "Declined: this workspace never changes or deletes its records at a peer's request; it only answers requests to read records within its policy for your node."}
	}
	if gaveRecords(n, s.Self) {
		return closeMove("That is everything I can offer for this request.")
	}
	req, ok := requestOf(open)
	asked := questionsBy(n, s.Self)
	for _, t := range n.Turns[1:] {
		if t.From == s.Self {
			continue
		}
		if !ok {
			req, ok = requestOf(t) // the answer to "which records?"
		}
	}
	if !ok {
		if asked >= maxQuestions {
			return closeMove("I could not understand which records you want, so I am closing this exchange.")
		}
		return question("Which records do you want: contacts (by city, company, tag or name), open tasks, or the members of a team?", "records",
			[]string{negotiation.KindContacts, negotiation.KindTasks, negotiation.KindMembers})
	}
	tools := toolSet(ctx, s.Tools)
	need := map[string]string{negotiation.KindContacts: "contacts_search", negotiation.KindTasks: "tasks_search", negotiation.KindMembers: "org_members"}
	scope := map[string]string{negotiation.KindContacts: "contacts:read", negotiation.KindTasks: "tasks:read", negotiation.KindMembers: "org:read"}
	if !tools[need[req.Records]] {
		return negotiation.Move{Type: negotiation.TypeReject,
			Text: fmt.Sprintf("Declined: this workspace's policy for your node does not allow reading %s (it would need the scope %s).", req.Records, scope[req.Records])}
	}
	answers := answersOf(n, s.Self)
	var items []map[string]any
	var err error
	switch req.Records {
	case negotiation.KindContacts:
		items, err = findContacts(ctx, s.Tools, req.Filter)
		if err == nil && req.Filter.Company != "" {
			choice, answered := answers["company"]
			if companies := distinct(items, "company"); !answered && len(companies) > 1 && asked < maxQuestions {
				return question(fmt.Sprintf("Which company do you mean by %q: %s? Or all of them?", req.Filter.Company, strings.Join(companies, ", ")), "company", companies)
			} else if answered && choice != negotiation.AnswerAll {
				items = only(items, "company", choice)
			}
		}
	case negotiation.KindTasks:
		items, err = findTasks(ctx, s.Tools, req.Filter)
	case negotiation.KindMembers:
		items, err = findMembers(ctx, s.Tools, req.Filter)
	}
	if err != nil {
		return closeMove("I could not look that up here: " + err.Error())
	}
	what := strings.TrimSpace(req.Records + " " + req.Filter.Describe())
	if len(items) == 0 {
		return closeMove(fmt.Sprintf("There are no %s here.", what))
	}
	more := ""
	if len(items) > negotiation.MaxItems {
		items, more = items[:negotiation.MaxItems], fmt.Sprintf(" (the first %d)", negotiation.MaxItems)
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = negotiation.ItemName(it)
	}
	return negotiation.Move{Type: negotiation.TypePropose,
		Text: fmt.Sprintf("Here are %d %s%s: %s.", len(items), what, more, strings.Join(names, ", ")),
		Data: negotiation.Encode(negotiation.DataRecords{Kind: req.Records, Items: items})}
}

// requestOf reads a request from a turn: its data when it is one, else
// its text.
func requestOf(t negotiation.Turn) (negotiation.DataRequest, bool) {
	if negotiation.KindOf(t.Data) == negotiation.KindRequest {
		var r negotiation.DataRequest
		if json.Unmarshal(t.Data, &r) == nil && (r.Records == negotiation.KindContacts || r.Records == negotiation.KindTasks || r.Records == negotiation.KindMembers) {
			return r, true
		}
	}
	return recordRequest(t.Text)
}

// answersOf collects the peer's answers to our questions, by field.
func answersOf(n negotiation.Negotiation, self string) map[string]string {
	out := map[string]string{}
	var pending string // the field of our last question
	for _, t := range n.Turns {
		if t.From == self {
			pending = ""
			if negotiation.KindOf(t.Data) == negotiation.KindQuestion {
				var q negotiation.DataQuestion
				if json.Unmarshal(t.Data, &q) == nil {
					pending = q.Field
				}
			}
			continue
		}
		if negotiation.KindOf(t.Data) == negotiation.KindAnswer {
			var a negotiation.DataAnswer
			if json.Unmarshal(t.Data, &a) == nil && a.Field != "" {
				out[a.Field] = a.Value
				continue
			}
		}
		if pending != "" && strings.TrimSpace(t.Text) != "" {
			out[pending] = recognise.Answer(t.Text)
		}
	}
	return out
}

func questionsBy(n negotiation.Negotiation, self string) int {
	c := 0
	for _, t := range n.Turns {
		if t.From == self && negotiation.KindOf(t.Data) == negotiation.KindQuestion {
			c++
		}
	}
	return c
}

func gaveRecords(n negotiation.Negotiation, self string) bool {
	for _, t := range n.Turns {
		if t.From == self && negotiation.IsRecords(negotiation.KindOf(t.Data)) {
			return true
		}
	}
	return false
}

func question(text, field string, options []string) negotiation.Move {
	return negotiation.Move{Type: negotiation.TypeMessage, Text: text,
		Data: negotiation.Encode(negotiation.DataQuestion{Kind: negotiation.KindQuestion, Field: field, Options: options})}
}

func closeMove(text string) negotiation.Move {
	return negotiation.Move{Type: negotiation.TypeClose, Text: text}
}

func toolSet(ctx context.Context, t negotiation.Tools) map[string]bool {
	out := map[string]bool{}
	list, err := t.List(ctx)
	if err != nil {
		return out
	}
	for _, tool := range list {
		out[tool.Name] = true
	}
	return out
}

// contactFieldNames are the contact tools' field names records travel with.
var contactFieldNames = []string{"name", "email", "phone", "company", "title", "city", "tags", "notes"}

func findContacts(ctx context.Context, tools negotiation.Tools, f negotiation.Filter) ([]map[string]any, error) {
	args := map[string]any{"limit": 100}
	for k, v := range map[string]string{"city": f.City, "company": f.Company, "tag": f.Tag, "name": f.Name} {
		if v != "" {
			args[k] = v
		}
	}
	var page struct {
		Contacts []map[string]any `json:"contacts"`
	}
	if err := call(ctx, tools, "contacts_search", args, &page); err != nil {
		return nil, err
	}
	return pick(page.Contacts, contactFieldNames), nil
}

func findTasks(ctx context.Context, tools negotiation.Tools, f negotiation.Filter) ([]map[string]any, error) {
	var page struct {
		Tasks []map[string]any `json:"tasks"`
	}
	if err := call(ctx, tools, "tasks_search", map[string]any{"status": f.Status, "limit": 100}, &page); err != nil {
		return nil, err
	}
	return pick(page.Tasks, []string{"title", "description", "status", "due", "assignee_name", "contact_name"}), nil
}

func findMembers(ctx context.Context, tools negotiation.Tools, f negotiation.Filter) ([]map[string]any, error) {
	args := map[string]any{"limit": 100}
	if f.Team != "" {
		var teams struct {
			Teams []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"teams"`
		}
		if err := call(ctx, tools, "org_teams", map[string]any{}, &teams); err != nil {
			return nil, err
		}
		id := ""
		for _, t := range teams.Teams {
			if strings.EqualFold(t.Name, f.Team) || (id == "" && strings.Contains(strings.ToLower(t.Name), strings.ToLower(f.Team))) {
				id = t.ID
				f.Team = t.Name // as the team calls itself here
			}
		}
		if id == "" {
			return nil, nil
		}
		args["team_id"] = id
	}
	var page struct {
		Members []map[string]any `json:"members"`
	}
	if err := call(ctx, tools, "org_members", args, &page); err != nil {
		return nil, err
	}
	out := pick(page.Members, []string{"name", "email", "role"})
	for _, it := range out {
		if f.Team != "" {
			it["team"] = f.Team
		}
	}
	return out, nil
}

// call runs a tool and decodes its result into out.
func call(ctx context.Context, tools negotiation.Tools, name string, args any, out any) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	res, err := tools.Call(ctx, name, raw)
	if err != nil {
		return err
	}
	b, err := json.Marshal(res.Data)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func pick(in []map[string]any, fields []string) []map[string]any {
	out := make([]map[string]any, 0, len(in))
	for _, rec := range in {
		it := map[string]any{}
		for _, f := range fields {
			if v, ok := rec[f]; ok && v != nil && v != "" {
				it[f] = v
			}
		}
		out = append(out, it)
	}
	return out
}

func distinct(items []map[string]any, field string) []string {
	seen := map[string]string{}
	for _, it := range items {
		if s, ok := it[field].(string); ok && s != "" {
			seen[strings.ToLower(s)] = s
		}
	}
	out := make([]string, 0, len(seen))
	for _, s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func only(items []map[string]any, field, value string) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		if s, _ := it[field].(string); strings.EqualFold(s, value) {
			out = append(out, it)
		}
	}
	return out
}

// ---- the opener ----

func openerMove(ctx context.Context, s negotiation.Situation) negotiation.Move {
	n := s.Negotiation
	req, understood := recordRequest(n.Goal)
	if s.Seq == 1 {
		m := negotiation.Move{Type: negotiation.TypeOpen, Text: n.Goal}
		if understood {
			m.Data = negotiation.Encode(req)
		}
		return m
	}
	last := n.Turns[len(n.Turns)-1]
	if recs, ok := negotiation.Records(last.Data); ok {
		return receive(ctx, s, recs, last.Type == negotiation.TypePropose)
	}
	answered := 0
	for _, t := range n.Turns {
		if t.From == s.Self && negotiation.KindOf(t.Data) == negotiation.KindAnswer {
			answered++
		}
	}
	if answered >= maxQuestions {
		return closeMove("I have answered enough questions; closing without the records.")
	}
	if negotiation.KindOf(last.Data) == negotiation.KindQuestion {
		var q negotiation.DataQuestion
		_ = json.Unmarshal(last.Data, &q)
		return answer(q, req, understood)
	}
	if strings.Contains(last.Text, "?") {
		return negotiation.Move{Type: negotiation.TypeMessage, Text: "All of them, please, sent as data.",
			Data: negotiation.Encode(negotiation.DataAnswer{Kind: negotiation.KindAnswer, Field: "any", Value: negotiation.AnswerAll})}
	}
	return closeMove("Thank you; nothing more is needed.")
}

// answer answers a clarifying question from what the goal says: the
// option the goal names exactly, else all of them.
func answer(q negotiation.DataQuestion, req negotiation.DataRequest, understood bool) negotiation.Move {
	value := negotiation.AnswerAll
	switch q.Field {
	case "records":
		if understood {
			value = req.Records
		}
	case "company", "city", "tag", "name", "team":
		want := map[string]string{"company": req.Filter.Company, "city": req.Filter.City, "tag": req.Filter.Tag, "name": req.Filter.Name, "team": req.Filter.Team}[q.Field]
		for _, o := range q.Options {
			if want != "" && strings.EqualFold(o, want) {
				value = o
			}
		}
	}
	text := "All of them."
	if value != negotiation.AnswerAll {
		text = value + "."
	}
	return negotiation.Move{Type: negotiation.TypeMessage, Text: text,
		Data: negotiation.Encode(negotiation.DataAnswer{Kind: negotiation.KindAnswer, Field: q.Field, Value: value})}
}

// receive takes records the peer sent: imported when the goal asks to
// keep them, then the proposal is accepted (or the exchange closed).
func receive(ctx context.Context, s negotiation.Situation, recs negotiation.DataRecords, proposed bool) negotiation.Move {
	end := negotiation.TypeClose
	if proposed {
		end = negotiation.TypeAccept
	}
	names := make([]string, 0, len(recs.Items))
	for _, it := range recs.Items {
		names = append(names, negotiation.ItemName(it))
	}
	got := fmt.Sprintf("Received %d %s (%s).", len(recs.Items), recs.Kind, strings.Join(names, ", "))
	if !wantsKeep(s.Negotiation.Goal) {
		return negotiation.Move{Type: end, Text: got + " Thank you."}
	}
	im := importRecords(ctx, s, recs)
	return negotiation.Move{Type: end, Text: got + " " + im.text(), Actions: im.receipts}
}
