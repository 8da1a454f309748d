package local

import "strings"

// File intents.
type (
	// filesList: "List files in Reports"; an empty folder is the root.
	filesList struct{ folder string }
	// filesFind: "Find files named budget".
	filesFind struct{ query string }
	// folderCreate: "Create a folder Contracts", "… in Legal".
	folderCreate struct{ name, parent string }
	// fileChange is one operation on one file or folder found by name:
	// rename (value is the new name), move (value is the destination
	// folder, toRoot for the root) or delete.
	fileChange struct {
		name   string
		kind   string // "file", "folder" or "" for either
		op     string
		value  string
		toRoot bool
	}
)

// parseFolderCreate reads a new folder's name and its parent: "Contracts
// in Legal", `"Made in Berlin"`.
func parseFolderCreate(v string) (intent, bool, *parseError) {
	// "New folder: Board Papers": the label's colon is no part of the name.
	v = strings.TrimSpace(strings.TrimLeft(v, ":;,-–— "))
	if v == "" {
		return nil, true, refuse("the folder has no name")
	}
	if name, rest, ok := leadingQuote(v); ok {
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return folderCreate{name: name}, true, nil
		}
		if parent, ok := opens(rest, cueFolderIn); ok && strings.TrimSpace(parent) != "" {
			return folderCreate{name: name, parent: folderName(parent)}, true, nil
		}
		return nil, true, refuse("I could not read %q after the folder name", rest)
	}
	if name, parent, ok := findCue(v, cueFolderIn, 1); ok && strings.TrimSpace(parent) != "" {
		return folderCreate{name: unquote(name), parent: folderName(parent)}, true, nil
	}
	return folderCreate{name: unquote(v)}, true, nil
}

// itemName reads a file or folder name: "called Contracts" is "Contracts".
func itemName(s string) string { return taskRef(s) }

// folderName strips "the", "folder" and quotes from a folder reference.
func folderName(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := opens(s, cueTheFolder); ok && strings.TrimSpace(rest) != "" {
		s = strings.TrimSpace(rest)
	}
	if before, ok := endsWithCue(s, cueFolderWord, 1); ok {
		s = before
	}
	return unquote(s)
}

func fileKind(w string) string {
	switch strings.ToLower(w) {
	case "folder":
		return "folder"
	case "file", "document":
		return "file"
	}
	return ""
}
