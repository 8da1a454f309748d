package local

import "testing"

func TestMatchAnswer(t *testing.T) {
	cands := contactCands([]obj{
		{"id": "ct1", "name": "Jane Doe", "email": "jane@acme.com", "company": "Acme Corp", "city": "London"},
		{"id": "ct2", "name": "Jane Roe", "email": "jane@initech.com", "company": "Initech", "city": "Paris"},
		{"id": "ct3", "name": "Jane Poe", "email": "poe@acme.com", "company": "Acme Corp", "city": "Berlin"},
	})
	for _, tc := range []struct {
		ans  string
		want string // id, or "" for no match
	}{
		{"2", "ct2"},
		{"#3", "ct3"},
		{"number 1", "ct1"},
		{"the second one", "ct2"},
		{"the last one", "ct3"},
		{"jane@initech.com", "ct2"},
		{"JANE@ACME.COM", "ct1"},
		{"Jane Roe", "ct2"},
		{"jane roe.", "ct2"},
		{"the one at Initech", "ct2"},
		{"the one in Paris", "ct2"},
		{"I mean the one in Berlin", "ct3"},
		{"Acme", ""}, // two at Acme
		{"the one at Acme in London", "ct1"},
		{"4", ""},
		{"Jane", ""},
		{"purple", ""},
		{"the one", ""},
	} {
		got, ok := matchAnswer(tc.ans, cands)
		if tc.want == "" {
			if ok {
				t.Errorf("matchAnswer(%q) = %s, want no match", tc.ans, got.id)
			}
			continue
		}
		if !ok || got.id != tc.want {
			t.Errorf("matchAnswer(%q) = %s (%v), want %s", tc.ans, got.id, ok, tc.want)
		}
	}
}

func TestExactOne(t *testing.T) {
	members := memberCands([]obj{
		{"id": "m1", "name": "Maria Garcia", "email": "maria@example.com"},
		{"id": "m3", "name": "Mariana Silva", "email": "mariana@example.com"},
		{"id": "m6", "name": "Maria Lopez", "email": "lopez@example.com"},
	})
	for _, tc := range []struct{ ref, want string }{
		{"Maria Garcia", "m1"},
		{"maria garcia", "m1"},
		{"mariana@example.com", "m3"},
		{"Mariana", "m3"}, // the only one with that word
		{"Maria", ""},     // two Marias
		{"Garcia", "m1"},
	} {
		got, ok := exactOne(tc.ref, members)
		if (tc.want == "") == ok || (ok && got.id != tc.want) {
			t.Errorf("exactOne(%q) = %s, %v; want %q", tc.ref, got.id, ok, tc.want)
		}
	}
	files := fileCands([]obj{{"id": "f2", "name": "Q1 report.pdf"}, {"id": "f6", "name": "Q1 report draft.docx"}})
	if got, ok := exactOne("Q1 report", files); !ok || got.id != "f2" {
		t.Errorf("exactOne(Q1 report) = %s, %v; want the file whose name without extension matches", got.id, ok)
	}
}

func TestYesAndCancel(t *testing.T) {
	for _, s := range []string{"yes", "Yes.", "YES, delete them", "confirm", "y"} {
		if !isYes(s) {
			t.Errorf("isYes(%q) = false", s)
		}
	}
	for _, s := range []string{"no", "yesterday", "ok", "sure", "delete them", ""} {
		if isYes(s) {
			t.Errorf("isYes(%q) = true", s)
		}
	}
	for _, s := range []string{"cancel", "No thanks", "never mind", "none of them", "forget it"} {
		if !isCancel(s) {
			t.Errorf("isCancel(%q) = false", s)
		}
	}
	for _, s := range []string{"2", "Jane Doe", "nobody@example.com"} {
		if isCancel(s) {
			t.Errorf("isCancel(%q) = true", s)
		}
	}
}
