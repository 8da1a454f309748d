package local

import "testing"

// TestCueMatch: a cue matches word by word, case-insensitively, with
// optional slots taken or skipped and multi-word alternatives, and the
// text after it keeps the punctuation attached to its last word.
func TestCueMatch(t *testing.T) {
	c := lexCue("create|add [a|an] [new] contact|lead [for|with_the_name]")
	for _, tc := range []struct{ s, after string }{
		{"Create a contact for Jane Doe", " Jane Doe"},
		{"add new lead: Tess", ": Tess"},
		{"ADD A CONTACT with the name Bo", " Bo"},
		{"add contact", ""},
	} {
		got, ok := opens(tc.s, c)
		if !ok || got != tc.after {
			t.Errorf("opens(%q) = %q, %v; want %q", tc.s, got, ok, tc.after)
		}
	}
	for _, s := range []string{"add contacts", "create the contact Jane", "contact Jane", ""} {
		if got, ok := opens(s, c); ok {
			t.Errorf("opens(%q) = %q; want no match", s, got)
		}
	}
}

func TestCueFind(t *testing.T) {
	before, after, ok := findCue("Jane Doe has moved to Paris", cueMoved, 1)
	if !ok || before != "Jane Doe" || after != " Paris" {
		t.Fatalf("findCue = %q, %q, %v", before, after, ok)
	}
	if _, _, ok := findCue("moved to Paris", cueMoved, 1); ok {
		t.Fatal("findCue matched before its first word")
	}
	who, ok := endsWithCue(" Jane from the CRM", cueFromList, 1)
	if !ok || who != "Jane" {
		t.Fatalf("endsWithCue = %q, %v", who, ok)
	}
	if _, ok := endsWithCue(" Jane from the CRM today", cueFromList, 1); ok {
		t.Fatal("endsWithCue matched short of the end")
	}
}

func TestPossessive(t *testing.T) {
	for _, tc := range []struct{ s, owner, after string }{
		{"Jane Doe's phone to 1", "Jane Doe", " phone to 1"},
		{"James' title", "James", " title"},
	} {
		owner, after, ok := possessive(tc.s)
		if !ok || owner != tc.owner || after != tc.after {
			t.Errorf("possessive(%q) = %q, %q, %v", tc.s, owner, after, ok)
		}
	}
	if _, _, ok := possessive("the phone of Jane"); ok {
		t.Error("possessive found an owner where there is none")
	}
}

// TestMoreFields: a value ends where a further field of the same
// contact starts, and never inside a name that holds "and".
func TestMoreFields(t *testing.T) {
	v, more := moreFields("Head of Buying and her city to Munich")
	if v != "Head of Buying" || len(more) != 1 || more[0] != [2]string{"city", "Munich"} {
		t.Fatalf("moreFields = %q, %v", v, more)
	}
	v, more = moreFields("Johnson and Johnson")
	if v != "Johnson and Johnson" || more != nil {
		t.Fatalf("moreFields split a company: %q, %v", v, more)
	}
	v, more = moreFields("+1 555 0100, and her city is Paris and his title to CTO")
	if v != "+1 555 0100" || len(more) != 2 || more[1] != [2]string{"title", "CTO"} {
		t.Fatalf("moreFields = %q, %v", v, more)
	}
}
