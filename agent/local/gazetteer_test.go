package local

import (
	"strings"
	"testing"
)

// TestGazetteer checks that the workspace's own names decide what a
// bare value is, on the real tools: a company is known as a company once
// a contact has it; a place that is no team or department but a city of
// the contacts lists those contacts; a move of a name that is no file
// but a contact sets the contact's city; and a name that is a file, a
// folder or a team keeps its old meaning.
func TestGazetteer(t *testing.T) {
	for _, c := range []struct {
		name, say, reply, args string
		writes                 []string
	}{
		{name: "a new company is known once a contact has it",
			say:    "Add Ann Lee at Zeta Labs >> New contact: Bo Chan, Zeta Labs, Dublin",
			writes: []string{"contacts_create", "contacts_create"}, reply: "Contact created: Bo Chan",
			args: `"company":"Zeta Labs","name":"Bo Chan"`},
		{name: "an unknown bare value is not guessed",
			say: "New contact: Bo Chan, Zeta Labs", reply: `I could not tell what "Zeta Labs" is`},
		{name: "who is in a city of the contacts",
			say: "who is in Berlin?", reply: "Emma Schultz"},
		{name: "who is in a company of the contacts",
			say: "who is in Umbrella?", reply: "Luis Fernández"},
		{name: "who is in a team",
			say: "who is in Platform?", reply: "Members of the Platform team"},
		{name: "who is in something unknown",
			say: "who is in Narnia?", reply: `No team or department is named "Narnia"`},
		{name: "move a contact to a city",
			say: "move Kenji to Kyoto", writes: []string{"contacts_update"}, reply: "Contact updated: Kenji Tanaka",
			args: `"city":"Kyoto"`},
		{name: "move a file to a folder",
			say: "move Onboarding pack.txt to Reports", writes: []string{"files_move"}, reply: "Onboarding pack.txt"},
		{name: "a contact is not moved into a folder",
			say: "move Kenji to Reports", reply: `No file matched "Kenji"`},
		{name: "a name that is no contact is no move",
			say: "move Zed Quill to Kyoto", reply: `No file matched "Zed Quill"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			reply, _, writes, all := playMessages(t, newCorpusWS(t), c.say)
			if strings.Join(writes, " ") != strings.Join(c.writes, " ") {
				t.Errorf("writes %q, want %q\n%s", writes, c.writes, strings.Join(all, "\n"))
			}
			if !strings.Contains(reply, c.reply) {
				t.Errorf("reply %q, want it to hold %q", reply, c.reply)
			}
			calls := strings.Join(all, "\n")
			if c.args != "" && !strings.Contains(calls, c.args) {
				t.Errorf("calls do not hold %s:\n%s", c.args, calls)
			}
		})
	}
}
