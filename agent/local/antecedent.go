package local

import "github.com/soisnode/soisnode/agent"

// The conversation's antecedent: "her", "him" or "them" in a new message
// may mean the one contact the previous turn ended on — the contact it
// created, changed or found alone ("Find Priya Patel" >> "email her the
// Q1 report"). A turn that found several contacts, or none, gives no
// antecedent, and a pronoun without one is still refused.

// priorContact is the contact the turns before the message at start last
// showed alone, or nil.
func priorContact(msgs []agent.Message, start int) obj {
	for i := start - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Role != agent.RoleTool {
			continue
		}
		for j := len(m.Results) - 1; j >= 0; j-- {
			tr := m.Results[j]
			switch tr.Name {
			case "contacts_create", "contacts_update", "contacts_get":
				res := decodeResult(tr.Name, tr)
				if res.failed() {
					return nil
				}
				return res.data.record("contact")
			case "contacts_search":
				res := decodeResult(tr.Name, tr)
				if res.failed() {
					return nil
				}
				if list := res.data.list("contacts"); len(list) == 1 {
					return list[0]
				}
				return nil
			}
		}
	}
	return nil
}
