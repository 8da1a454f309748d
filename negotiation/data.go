package negotiation

import (
	"encoding/json"
	"strings"
)

// Kinds of body.data. Every structured body carries "kind", so agents on
// both sides read records without field mappings.
const (
	KindRequest  = "request"  // asks for records: DataRequest
	KindQuestion = "question" // a clarifying question: DataQuestion
	KindAnswer   = "answer"   // the answer to one: DataAnswer
	KindContacts = "contacts" // records: items use the contact tools' field names
	KindTasks    = "tasks"    // records: items use the task tools' field names
	KindMembers  = "members"  // records: org members (name, email, role, team)
	KindCancel   = "cancel"   // on a close: the sender canceled the exchange
)

// MaxItems is the most records one envelope carries.
const MaxItems = 50

// Filter narrows a request for records. Contacts use City, Company, Tag
// and Name; tasks use Status ("open"); members use Team.
type Filter struct {
	City    string `json:"city,omitempty"`
	Company string `json:"company,omitempty"`
	Tag     string `json:"tag,omitempty"`
	Name    string `json:"name,omitempty"`
	Status  string `json:"status,omitempty"`
	Team    string `json:"team,omitempty"`
}

// Describe says the filter in words: "at Acme in London".
func (f Filter) Describe() string {
	var parts []string
	if f.Status != "" {
		parts = append(parts, "status "+f.Status)
	}
	if f.Name != "" {
		parts = append(parts, "named "+f.Name)
	}
	if f.Company != "" {
		parts = append(parts, "at "+f.Company)
	}
	if f.City != "" {
		parts = append(parts, "in "+f.City)
	}
	if f.Tag != "" {
		parts = append(parts, "tagged "+f.Tag)
	}
	if f.Team != "" {
		parts = append(parts, "in team "+f.Team)
	}
	return strings.Join(parts, " ")
}

// DataRequest is {"kind":"request","records":"contacts","filter":{…}}.
type DataRequest struct {
	Kind    string `json:"kind"`
	Records string `json:"records"` // KindContacts, KindTasks or KindMembers
	Filter  Filter `json:"filter"`
}

// DataQuestion is {"kind":"question","field":"company","options":[…]}.
type DataQuestion struct {
	Kind    string   `json:"kind"`
	Field   string   `json:"field"`
	Options []string `json:"options,omitempty"`
}

// AnswerAll is the answer value meaning "every option".
const AnswerAll = "*"

// DataAnswer is {"kind":"answer","field":"company","value":"Acme Corp"};
// value AnswerAll means all of the options.
type DataAnswer struct {
	Kind  string `json:"kind"`
	Field string `json:"field"`
	Value string `json:"value"`
}

// DataRecords is {"kind":"contacts","items":[…]}: records as the tools
// of that kind name their fields.
type DataRecords struct {
	Kind  string           `json:"kind"`
	Items []map[string]any `json:"items"`
}

// KindOf returns the "kind" of a body's data, "" when it has none.
func KindOf(data json.RawMessage) string {
	if len(data) == 0 {
		return ""
	}
	var k struct {
		Kind string `json:"kind"`
	}
	if json.Unmarshal(data, &k) != nil {
		return ""
	}
	return k.Kind
}

// IsRecords reports whether kind names records.
func IsRecords(kind string) bool {
	return kind == KindContacts || kind == KindTasks || kind == KindMembers
}

// Records decodes records data; ok is false for anything else.
func Records(data json.RawMessage) (DataRecords, bool) {
	var r DataRecords
	if !IsRecords(KindOf(data)) || json.Unmarshal(data, &r) != nil {
		return DataRecords{}, false
	}
	return r, true
}

// ItemName is how a record is named in summaries: its name, else title,
// else email.
func ItemName(item map[string]any) string {
	for _, k := range []string{"name", "title", "email"} {
		if s, ok := item[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return "(unnamed)"
}

// Encode marshals data for a body; it never fails for the types above.
func Encode(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
