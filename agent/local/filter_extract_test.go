package local

import "testing"

// TestExtractRecordFilter: the local agent reads a request for records
// with the shared frame (its cases are in recognise/recognise_test.go),
// and says why when a sentence is not one.
func TestExtractRecordFilter(t *testing.T) {
	if f, ok, err := extractRecordFilter("Can you send me your contacts in Berlin?"); !ok || err != nil || f.String() != "contacts in Berlin" {
		t.Errorf("extractRecordFilter = %q, %v, %v", f.String(), ok, err)
	}
	if _, ok, err := extractRecordFilter("delete all contacts"); ok || err == nil {
		t.Errorf("a change read as a filter: %v, %v", ok, err)
	}
}
