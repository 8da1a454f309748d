package local

import "strings"

// The file frames: listing a folder, finding files, creating a folder,
// and renaming, moving and deleting one file or folder found by name.
// Each frame reads its cue words from the lexicon below. The frames are
// scored against each other and every other frame (compete.go): "Find the file X" (a named
// kind) beats "Find the X" (a bare "the", read as a file because people
// are not "the …").

// The files family's lexicon. fk is the file-kind slot.
const fk = "file|folder|document"

var (
	cueFolderOpen   = lexCue("open|show|list|display|browse [me] [the] folder")
	cueFilesIn      = lexCue("list|show|display|get|find|what_are [me] [all] [the|my|our] files|documents|contents|everything")
	cueInFolder     = lexCue("[are] in|inside|under|of [the]")
	cueFilesWhatIn  = lexCue("what's|what_is|what_files_are|what_documents_are|what_are_the_files in|inside [the]")
	cueFilesWeHave  = lexCue("what|which files|documents do_we_have|are_there|have_we_got|exist|are")
	cueInWord       = lexCue("in")
	cueFilesFind    = lexCue("find|search_for|search|look_for|show|list|get [me] [all] [the] files|file|documents|document named|called|matching|containing|with_name_containing|with_names_containing|with_name_like|with_names_like|like|about|with")
	cueFileFind     = lexCue("find|search_for|look_for|locate [the] file|document")
	cueSearchFiles  = lexCue("search [the] files for")
	cueFileExists   = lexCue("do_we_have|is_there|are_there|have_we_got a|an|any files|file|documents|document named|called|matching|about|like")
	cueFileExistsW  = lexCue("do_we_have|is_there|are_there|have_we_got a|an|any files|file|documents|document with")
	cueInTheName    = lexCue("in the name")
	cueFindThe      = lexCue("find|search_for|look_for|locate|where's|where_is|where_are the")
	cueFolderCreate = lexCue("create|make|add|new [a|an] [new] folder [called|named]")
	cueForThe       = lexCue("for [the|our|my]")
	cueFolderIn     = lexCue("in|inside|under|within")
	cueFileRename   = lexCue("rename [the]")
	cueFileKind     = lexCue(fk)
	cueFilePut      = lexCue("put [the]")
	cueIntoFolder   = lexCue("in|into|inside")
	cueFileMove     = lexCue("move [the]")
	cueMoveTo       = lexCue("[back] to|into")
	cueFileDelete   = lexCue("delete|remove|trash|erase|get_rid_of [the]")
	cueMyContacts   = lexCue("[my|the|our] contacts")
	cueRoot         = lexCue("[the] root|top|top_level|top-level [folder]")
	cueTheFolder    = lexCue("[the] [folder]")
	cueFolderWord   = lexCue("folder")
	cueFileLast     = lexCue("rename|move|delete|remove|trash|erase|get_rid_of|open|show_me|show|list|display|browse|put [the]")
)

// notFiles are the words after "find the" that name no file.
var notFiles = wordSet(`contact contacts task tasks todo todos to-do to-dos email emails e-mail e-mails message messages member members team teams department departments people lead head manager outbox`)

// fileFrames are the frames of the files family, scored in one
// competition with every other frame (compete.go).
var fileFrames = []frameDef{
	{"files-list", fitFilesList},
	{"files-find", fitFilesFind},
	{"folder-create", fitFolderCreate},
	{"file-rename", fitFileRename},
	{"file-move", fitFileMove},
	{"file-delete", fitFileDelete},
}

func init() {
	for k, v := range map[string]string{
		"files-list": "listing a folder", "files-find": "finding files", "folder-create": "a new folder",
		"file-rename": "renaming a file or folder", "file-move": "moving a file or folder", "file-delete": "deleting a file or folder",
	} {
		frameWords[k] = v
	}
}

// fileLast reads "Rename the Contracts folder to Legal" (or "Rename
// Contracts folder to Legal") as "Rename the folder Contracts to Legal",
// when what stands before the kind word is one name. ("show_me" comes
// before "show" in the cue: the first alternative that fits is taken,
// and "me" is no name.)
func fileLast(s string) string {
	toks := tokens(s)
	j, ok := cueFileLast.match(toks, 0)
	if !ok || j >= len(toks) || notOneName[toks[j].norm] {
		return s
	}
	for i := j + 1; i < len(toks); i++ {
		if placeWords[toks[i].norm] {
			return s // "… in …": more than one name
		}
		if cueFileKind.matches(toks[i]) {
			verb := strings.TrimSpace(s[:toks[j].start]) // "Delete the", or "Delete"
			if toks[j-1].norm != "the" {
				verb += " the"
			}
			return verb + " " + s[toks[i].start:toks[i].wend] + " " + strings.TrimSpace(s[toks[j].start:toks[i].start]) + s[toks[i].wend:]
		}
	}
	return s
}

// notOneName are words that cannot start one file's name; placeWords
// show a text holds more than one name ("X in Y").
var (
	notOneName = wordSet(`files documents contents file folder document`)
	placeWords = wordSet(`in inside under to into`)
)

// "Open the folder Reports", "List files in Reports", "What's in
// Reports?", "What files do we have?".
func fitFilesList(s string, _ []span, _ calendar) (frameFit, bool) {
	list := func(folder string, score int) (frameFit, bool) {
		folder = strings.TrimSpace(folder)
		if folder == "" || isRoot(folder) {
			return frameFit{score: score, it: filesList{}}, true
		}
		return frameFit{score: score, it: filesList{folder: folderName(folder)}}, true
	}
	if rest, ok := opens(s, cueFolderOpen); ok && strings.TrimSpace(rest) != "" {
		return frameFit{score: scoreNamed, it: filesList{folder: folderName(rest)}}, true
	}
	if rest, ok := opens(s, cueFilesIn); ok {
		if strings.TrimSpace(rest) == "" {
			return list("", scoreNamed)
		}
		if folder, ok := opens(strings.TrimSpace(rest), cueInFolder); ok && strings.TrimSpace(folder) != "" {
			// "the files in X" names the kind; "the contents of X"
			// only when X is called a folder.
			if !namesFiles(s[:len(s)-len(rest)]) && !namesFolder(folder) {
				return list(folder, scoreShape)
			}
			return list(folder, scoreNamed)
		}
	}
	if rest, ok := opens(s, cueFilesWhatIn); ok && strings.TrimSpace(rest) != "" {
		if !namesFolder(rest) {
			return list(rest, scoreShape) // "What's in X?": X may be a file or the outbox
		}
		return list(rest, scoreCue)
	}
	if rest, ok := opens(s, cueFilesWeHave); ok {
		if strings.TrimSpace(rest) == "" {
			return list("", scoreNamed)
		}
		if folder, ok := opens(strings.TrimSpace(rest), cueInWord); ok && strings.TrimSpace(folder) != "" {
			return list(folder, scoreNamed)
		}
	}
	return frameFit{}, false
}

// isRoot reports whether a folder reference means the root.
func isRoot(s string) bool {
	rest, ok := opens(strings.TrimSpace(s), cueRoot)
	return ok && strings.TrimSpace(rest) == ""
}

// "Find files named budget", "Find the file budget", "Search the files
// for budget", "Is there a file called budget?", "Find the Q1 report".
func fitFilesFind(s string, _ []span, _ calendar) (frameFit, bool) {
	find := func(q string, score int) (frameFit, bool) {
		q = strings.TrimSpace(q)
		if q == "" {
			return frameFit{}, false
		}
		return frameFit{score: score, it: filesFind{query: unquote(q)}}, true
	}
	for _, c := range []cue{cueFilesFind, cueFileFind, cueSearchFiles, cueFileExists} {
		if rest, ok := opens(s, c); ok && strings.TrimSpace(rest) != "" {
			return find(rest, scoreNamed)
		}
	}
	if rest, ok := opens(s, cueFileExistsW); ok {
		if q, ok := endsWithCue(rest, cueInTheName, 1); ok {
			return find(q, scoreNamed)
		}
	}
	if rest, ok := opens(s, cueFindThe); ok {
		// "Find the Q1 report": people are not "the …", so a file.
		if toks := tokens(rest); len(toks) > 0 && !notFiles[toks[0].norm] {
			return find(rest, scoreBare)
		}
	}
	return frameFit{}, false
}

// "Create a folder Contracts", "… in Legal", "Make a folder for
// invoices" (named "invoices").
func fitFolderCreate(s string, _ []span, _ calendar) (frameFit, bool) {
	rest, ok := opens(s, cueFolderCreate)
	if !ok || strings.TrimSpace(rest) == "" {
		return frameFit{}, false
	}
	rest = strings.TrimSpace(rest)
	if r, ok := opens(rest, cueForThe); ok {
		rest = strings.TrimSpace(r)
	}
	it, ok, err := parseFolderCreate(rest)
	return fromParser(it, ok, err, scoreNamed)
}

// kindAndName splits "file notes.txt" into the kind and the name.
func kindAndName(s string) (kind, name string) {
	s = strings.TrimSpace(s)
	if rest, ok := opens(s, cueFileKind); ok {
		return fileKind(strings.TrimSpace(s[:len(s)-len(rest)])), strings.TrimSpace(rest)
	}
	return "", s
}

// "Rename the file X to Y".
func fitFileRename(s string, _ []span, _ calendar) (frameFit, bool) {
	rest, ok := opens(s, cueFileRename)
	if !ok {
		return frameFit{}, false
	}
	what, to, ok := findCue(rest, cueToAsInto, 1)
	if !ok {
		return frameFit{}, false
	}
	kind, name := kindAndName(what)
	if name == "" {
		return frameFit{}, false
	}
	if to = unquote(strings.TrimSpace(to)); to == "" {
		return frameFit{score: scoreCue, err: refuse("the new name is empty")}, true
	}
	score := scoreCue
	if kind == "" && !reFileExt.MatchString(name) {
		score = scoreShape // neither a kind nor an extension says it is a file
	}
	return frameFit{score: score, it: fileChange{name: itemName(name), kind: kind, op: "rename", value: to}}, true
}

// "Move the file X to Archive", "Put X in Archive", "Move X to the
// root".
func fitFileMove(s string, _ []span, cal calendar) (frameFit, bool) {
	move := func(what, dest string) (frameFit, bool) {
		kind, name := kindAndName(what)
		dest = strings.TrimSpace(dest)
		if name == "" || dest == "" {
			return frameFit{}, false
		}
		if kind == "" && endsWithUnitNoun(dest) {
			// "Move Sam to the Sales EMEA team": the org chart, which no
			// tool changes.
			return frameFit{score: scoreShape, err: refuse("I can't move people between teams or departments: there is no tool that changes the org chart")}, true
		}
		c := fileChange{name: itemName(name), kind: kind, op: "move"}
		if isRoot(dest) {
			c.toRoot = true
		} else {
			c.value = folderName(dest)
		}
		score := scoreShape
		if _, err := parseDate(dest, cal); err == nil && kind == "" {
			score = scoreBare // a date is no folder's name: "Move X to Friday"
		}
		return frameFit{score: score, it: c}, true
	}
	if rest, ok := opens(s, cueFilePut); ok {
		if what, dest, ok := findCue(rest, cueIntoFolder, 1); ok {
			if r, ok := opens(strings.TrimSpace(dest), cueMyContacts); ok && strings.TrimSpace(r) == "" {
				return frameFit{}, false // "Put Jane in my contacts"
			}
			return move(what, dest)
		}
	}
	if rest, ok := opens(s, cueFileMove); ok {
		if what, dest, ok := findCue(rest, cueMoveTo, 1); ok {
			return move(what, dest)
		}
	}
	return frameFit{}, false
}

// "Delete the file X", "Delete Onboarding pack.txt" (a name with an
// extension is a file).
func fitFileDelete(s string, _ []span, _ calendar) (frameFit, bool) {
	rest, ok := opens(s, cueFileDelete)
	if !ok {
		return frameFit{}, false
	}
	kind, name := kindAndName(rest)
	if name == "" {
		return frameFit{}, false
	}
	if kind != "" {
		return frameFit{score: scoreNamed, it: fileChange{name: itemName(name), kind: kind, op: "delete"}}, true
	}
	if reFileExt.MatchString(name) && !reEmail.MatchString(name) {
		return frameFit{score: scoreBare, it: fileChange{name: itemName(name), kind: "file", op: "delete"}}, true
	}
	return frameFit{}, false
}

// namesFiles reports whether a cue's words name files or documents.
func namesFiles(cueText string) bool {
	for _, t := range tokens(cueText) {
		switch t.norm {
		case "files", "documents":
			return true
		}
	}
	return false
}

// namesFileKind reports whether s holds a word naming a file's kind
// (file, folder, document): what it names is no contact.
func namesFileKind(s string) bool {
	for _, t := range tokens(s) {
		if cueFileKind.matches(t) {
			return true
		}
	}
	return false
}

// namesFolder reports whether s calls its name a folder ("the folder X",
// "X folder").
func namesFolder(s string) bool {
	for _, t := range tokens(s) {
		if t.norm == "folder" {
			return true
		}
	}
	return false
}

// endsWithUnitNoun reports whether s ends with "team" or "department".
func endsWithUnitNoun(s string) bool {
	_, ok := endsWithCue(s, cueUnitKind, 1)
	return ok
}
