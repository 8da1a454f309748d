package scenario_test

import (
	"strings"
	"testing"
)

// TestDeferredToolDescribedThenCalled: an owner has more tools than fit in
// full, so the first model call declares the core families briefly and
// only names files_search in describe_tools's description; the model
// describes it, is shown its full declaration, finds it declared in the
// next call (on the wire, through the real provider client), calls it,
// and the turn ends with the file found.
func TestDeferredToolDescribedThenCalled(t *testing.T) {
	matrix(t, nil, budgeted, func(t *testing.T, e *env) {
		_, fileID := seedContactAndFile(t, e)
		e.fake.handle(func(n int, r request) reply {
			switch n {
			case 1:
				return calls(call{"describe_tools", map[string]any{"names": []string{"files_search"}}})
			case 2:
				return calls(call{"files_search", map[string]any{"query": "q3"}})
			}
			return text("Found q3-report.txt.")
		})
		cv := send(t, e.n, e.c, "", "Find the Q3 report file")
		if cv.Status != "completed" || cv.Reply != "Found q3-report.txt." || e.fake.calls() != 3 {
			t.Fatalf("conversation after %d model calls: %+v", e.fake.calls(), cv)
		}
		reqs := e.fake.requests()
		first := reqs[0]
		if first.declares("files_search") || !first.declares("contacts_create") || !first.declares("describe_tools") {
			t.Errorf("first call declares %v: want the core families and describe_tools, not files_search", first.Tools)
		}
		if !strings.Contains(string(first.Body), "files_search") {
			t.Errorf("the first call does not name files_search (in describe_tools's description): %s", first.Body)
		}
		if !reqs[1].declares("files_search") || reqs[1].declares("files_delete") {
			t.Errorf("second call declares %v: want files_search (described), not files_delete", reqs[1].Tools)
		}
		res := reqs[1].results()
		if len(res) != 1 || res[0].Name != "describe_tools" || len(missing(res[0].Content, `files_search`, "Text the name contains")) > 0 {
			t.Errorf("describe_tools result: %+v", res)
		}
		last := reqs[2].results()
		if len(last) != 2 || last[1].Name != "files_search" || !strings.Contains(last[1].Content, fileID) {
			t.Errorf("files_search result: %+v", last)
		}
		for i, r := range reqs {
			if err := r.wellFormed(); err != nil {
				t.Errorf("request %d: %v", i+1, err)
			}
		}
		checkBilling(t, e, cv)
	})
}
