package local

import "testing"

func TestExtractRecordFilter(t *testing.T) {
	for _, tc := range []struct {
		say, want string
		ok        bool
	}{
		{"Can you send me your contacts in Berlin?", "contacts in Berlin", true},
		{"share your contacts at Acme", "contacts at Acme", true},
		{"Do you have any contacts tagged vip?", "contacts tagged vip", true},
		{"Please share all of your contacts from London", "contacts from London", true},
		{"who do you know at Initech?", "contacts at Initech", true},
		{"send me your open tasks", "tasks status open", true},
		{"What tasks are assigned to Maria?", "tasks assigned to Maria", true},
		{"who is in your Platform team?", "members of Platform", true},
		{"list your members", "members", true},
		{"Do you have a contact named Jane Doe?", "contacts named Jane Doe", true},
		{"Create a contact for Jane Doe", "", false},
		{"delete all contacts", "", false},
		{"bake a cake", "", false},
	} {
		f, ok, _ := extractRecordFilter(tc.say)
		if ok != tc.ok || (ok && f.String() != tc.want) {
			t.Errorf("extractRecordFilter(%q) = %q, %v; want %q, %v", tc.say, f.String(), ok, tc.want, tc.ok)
		}
	}
}
