package local

import (
	"regexp"
	"strings"
)

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

var (
	reFilesIn      = re(`^(?:list|show|display|get|what\s+are)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|my\s+|our\s+)?(?:files|documents|contents|everything)(?:\s+(?:are\s+)?(?:in|inside|under|of)\s+(?:the\s+)?(.+?))?$`)
	reFilesWhatIn  = re(`^what(?:'s|\s+is|\s+files\s+are|\s+documents\s+are|\s+are\s+the\s+files)\s+(?:in|inside)\s+(?:the\s+)?(.+?)$`)
	reFindThe      = re(`^(?:find|search\s+for|look\s+for|locate|where(?:'s|\s+is|\s+are))\s+the\s+(.+)$`)
	reFindTheNot   = re(`^(?:contacts?|tasks?|to-?dos?|e-?mails?|messages?|members?|teams?|departments?|people|lead|head|manager|outbox)\b`)
	reFilesFind    = re(`^(?:find|search(?:\s+for)?|look\s+for|show|list|get)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?(?:files?|documents?)\s+(?:named|called|matching|containing|with\s+names?\s+(?:containing|like)|like|about|with)\s+(.+)$`)
	reFileFind     = re(`^(?:find|search\s+for|look\s+for|locate)\s+(?:the\s+)?(?:file|document)\s+(.+)$`)
	reSearchFiles  = re(`^search\s+(?:the\s+)?files\s+for\s+(.+)$`)
	reFolderCreate = re(`^(?:create|make|add|new)\s+(?:a\s+|an\s+)?(?:new\s+)?folder\s+(?:called\s+|named\s+)?(.+)$`)
	reFolderParent = re(`^(.+?)\s+(?:in|inside|under|within)\s+(.+)$`)
	reFileRename   = re(`^rename\s+(?:the\s+)?(?:(file|folder|document)\s+)?(.+?)\s+(?:to|as|into)\s+(.+)$`)
	reFileMove     = re(`^move\s+(?:the\s+)?(?:(file|folder|document)\s+)?(.+?)\s+(?:back\s+)?(?:in)?to\s+(.+)$`)
	reFileDelete   = re(`^(?:delete|remove|trash|erase|get\s+rid\s+of)\s+(?:the\s+)?(file|folder|document)\s+(.+)$`)
	reFileDelBare  = re(`^(?:delete|remove|trash|erase|get\s+rid\s+of)\s+(?:the\s+)?(.+\.[a-z0-9]{1,5})$`)
	reFilePut      = re(`^put\s+(?:the\s+)?(?:(file|folder|document)\s+)?(.+?)\s+(?:in|into|inside)\s+(.+)$`)
	reFolderOpen   = re(`^(?:open|show(?:\s+me)?|list|display|browse)\s+(?:the\s+)?folder\s+(.+)$`)
	reFilesWeHave  = re(`^(?:what|which)\s+(?:files|documents)\s+(?:do\s+we\s+have|are\s+there|have\s+we\s+got|exist)(?:\s+in\s+(.+?))?$`)
	reFileExists   = re(`^(?:do\s+we\s+have|is\s+there|are\s+there|have\s+we\s+got)\s+(?:a|an|any)\s+(?:files?|documents?)\s+(?:named|called|matching|about|like|with\s+.+?\s+in\s+the\s+name)\s+(.+)$`)
	// reFileLast reads "Rename the Contracts folder to Legal" as
	// "Rename the folder Contracts to Legal".
	reFileLast   = re(`^(rename|move|delete|remove|trash|erase|get\s+rid\s+of|open|show(?:\s+me)?|list|display|browse|put)\s+the\s+(.+?)\s+(folder|file|document)\b(.*)$`)
	reNotOneName = re(`^(?:files|documents|contents|folder|file|document)\b|\s(?:in|inside|under|to|into)\s`)
	reToContacts = re(`^(?:my\s+|the\s+|our\s+)?contacts$`)
	reFolderWord = re(`^(?:the\s+)?(?:folder\s+)?(.+?)(?:\s+folder)?$`)
	reFolderFor  = re(`^for\s+(?:the\s+|our\s+|my\s+)?`)
	reRoot       = re(`^(?:the\s+)?(?:root|top(?:\s+level)?|top-level)(?:\s+folder)?$`)
)

// parseFile recognises file and folder requests.
func parseFile(s string, _ calendar) (intent, bool, *parseError) {
	if m := reFileLast.FindStringSubmatch(s); m != nil && !reNotOneName.MatchString(m[2]) {
		s = m[1] + " the " + m[3] + " " + m[2] + m[4]
	}
	if m := reFolderOpen.FindStringSubmatch(s); m != nil {
		return filesList{folder: folderName(m[1])}, true, nil
	}
	for _, rx := range []*regexp.Regexp{reFilesIn, reFilesWhatIn, reFilesWeHave} {
		if m := rx.FindStringSubmatch(s); m != nil {
			if m[1] == "" || reRoot.MatchString(m[1]) {
				return filesList{}, true, nil
			}
			return filesList{folder: folderName(m[1])}, true, nil
		}
	}
	for _, rx := range []*regexp.Regexp{reFilesFind, reFileFind, reSearchFiles, reFileExists} {
		if m := rx.FindStringSubmatch(s); m != nil {
			return filesFind{query: unquote(m[1])}, true, nil
		}
	}
	if m := reFindThe.FindStringSubmatch(s); m != nil && !reFindTheNot.MatchString(m[1]) {
		// "Find the Q1 report": people are not "the …", so a file.
		return filesFind{query: unquote(m[1])}, true, nil
	}
	if m := reFolderCreate.FindStringSubmatch(s); m != nil {
		// "Make a folder for invoices" names it "invoices".
		return parseFolderCreate(reFolderFor.ReplaceAllString(m[1], ""))
	}
	if m := reFileRename.FindStringSubmatch(s); m != nil {
		name := unquote(m[3])
		if name == "" {
			return nil, true, refuse("the new name is empty")
		}
		return fileChange{name: itemName(m[2]), kind: fileKind(m[1]), op: "rename", value: name}, true, nil
	}
	if m := reFilePut.FindStringSubmatch(s); m != nil && !reToContacts.MatchString(m[3]) {
		return fileMove(m)
	}
	if m := reFileMove.FindStringSubmatch(s); m != nil {
		return fileMove(m)
	}
	if m := reFileDelete.FindStringSubmatch(s); m != nil {
		return fileChange{name: itemName(m[2]), kind: fileKind(m[1]), op: "delete"}, true, nil
	}
	if m := reFileDelBare.FindStringSubmatch(s); m != nil && !reEmail.MatchString(m[1]) {
		// "Delete Onboarding pack.txt": a name with an extension is a file.
		return fileChange{name: itemName(m[1]), kind: "file", op: "delete"}, true, nil
	}
	return nil, false, nil
}

// fileMove reads a move's match: the kind word, the name, the destination.
func fileMove(m []string) (intent, bool, *parseError) {
	c := fileChange{name: itemName(m[2]), kind: fileKind(m[1]), op: "move"}
	if reRoot.MatchString(m[3]) {
		c.toRoot = true
	} else {
		c.value = folderName(m[3])
	}
	return c, true, nil
}

func parseFolderCreate(v string) (intent, bool, *parseError) {
	v = strings.TrimSpace(v)
	if name, rest, ok := leadingQuote(v); ok {
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return folderCreate{name: name}, true, nil
		}
		if m := reFolderParent.FindStringSubmatch("x " + rest); m != nil && m[1] == "x" {
			return folderCreate{name: name, parent: folderName(m[2])}, true, nil
		}
		return nil, true, refuse("I could not read %q after the folder name", rest)
	}
	if m := reFolderParent.FindStringSubmatch(v); m != nil {
		return folderCreate{name: unquote(m[1]), parent: folderName(m[2])}, true, nil
	}
	return folderCreate{name: unquote(v)}, true, nil
}

// itemName reads a file or folder name: "called Contracts" is "Contracts".
func itemName(s string) string { return taskRef(s) }

// folderName strips "the", "folder" and quotes from a folder reference.
func folderName(s string) string {
	s = strings.TrimSpace(s)
	if m := reFolderWord.FindStringSubmatch(s); m != nil {
		s = m[1]
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
