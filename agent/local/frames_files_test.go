package local

import "testing"

// TestFolderIsNoContact: "X folder" names a folder with or without "the"
// before it, and the contact frames never read a name holding a file's
// kind as a contact to delete.
func TestFolderIsNoContact(t *testing.T) {
	for in, want := range map[string]string{
		"Delete Reports folder":                "Delete the folder Reports",
		"Delete the Reports folder":            "Delete the folder Reports",
		"Rename Contracts folder to Legal":     "Rename the folder Contracts to Legal",
		"Move Q1 report.txt to Reports folder": "Move Q1 report.txt to Reports folder", // two names
		"Delete Kenji Tanaka":                  "Delete Kenji Tanaka",
		"Show me the Reports folder":           "Show me the folder Reports",
		"Show me Reports folder":               "Show me the folder Reports",
	} {
		if got := fileLast(in); got != want {
			t.Errorf("fileLast(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"Delete Reports folder", "Remove the Reports folder", "Delete Reports folder in Archive", "Get rid of the budget document"} {
		if fit, ok := fitContactDelete(s, nil, testCal); ok && fit.err == nil {
			t.Errorf("%q read as a contact delete: %+v", s, fit.it)
		}
	}
	if fit, ok := fitContactDelete("Delete Kenji Tanaka", nil, testCal); !ok || fit.err != nil {
		t.Errorf("Delete Kenji Tanaka: %+v, %v", fit, ok)
	}
}
