package local

import (
	"strings"
)

// fileRead: "What does Pricing.txt say?", "Read me the onboarding pack",
// "Does the pricing file mention discounts?" — a question answered from
// a file's stored text. The text is data: it is quoted in the reply and
// never read as a request.
type fileRead struct {
	name  string
	about string // "mention X": only the lines about X
}

var (
	reFileSays    = re(`^what\s+does\s+(?:the\s+)?(.+?)\s+say$`)
	reFileReadMe  = re(`^(?:read|show)\s+(?:me\s+|out\s+)?(?:the\s+)?(?:contents?\s+of\s+|text\s+of\s+)?(?:the\s+)?(?:file\s+|document\s+)?(.+?)$`)
	reFileWhatIn  = re(`^what(?:'s|\s+is)\s+(?:written\s+)?in\s+(?:the\s+)?(.+?\s+(?:file|document|doc)|\S+\.[a-z0-9]{1,5})$`)
	reFileMention = re(`^(?:does|did)\s+(?:the\s+)?(.+?)\s+(?:mention|say\s+anything\s+about|talk\s+about|cover|include|contain)\s+(.+)$`)
	reFileSuffix  = re(`\s+(?:file|document|doc)$`)
	// reFileReadOpen starts a request to read a file out.
	reFileReadOpen = re(`^(?:read\s|show\s+(?:me\s+)?(?:the\s+)?(?:contents?|text)\s+of\s)`)
	// reFileReadTail is who it is read to, not part of the name: "read
	// Pricing.txt to me", "… out loud".
	reFileReadTail = re(`(?:\s+(?:out\s+)?(?:to|for)\s+(?:me|us)|\s+(?:out\s+loud|aloud))+$`)
)

// parseFileRead recognises a question about what a file says. Only
// names that read as a file qualify: with an extension, or followed by
// "file" or "document", or after "read me".
func parseFileRead(s string, _ calendar) (intent, bool, *parseError) {
	var name, about string
	fileLike := false
	switch {
	case reFileMention.MatchString(s):
		m := reFileMention.FindStringSubmatch(s)
		name, about, fileLike = m[1], unquote(m[2]), true
	case reFileSays.MatchString(s):
		name = reFileSays.FindStringSubmatch(s)[1]
		// "What does the onboarding pack say?": a person takes no article.
		fileLike = reArticle.MatchString(strings.TrimPrefix(strings.ToLower(s), "what does "))
	case reFileWhatIn.MatchString(s):
		name, fileLike = reFileWhatIn.FindStringSubmatch(s)[1], true
	case reFileReadOpen.MatchString(s):
		if m := reFileReadMe.FindStringSubmatch(s); m != nil {
			name, fileLike = reFileReadTail.ReplaceAllString(m[1], ""), true
		}
	}
	if name == "" {
		return nil, false, nil
	}
	name = unquote(name)
	if reFileSuffix.MatchString(name) || reFileExt.MatchString(name) {
		fileLike = true
	}
	name = strings.TrimSpace(reFileSuffix.ReplaceAllString(name, ""))
	if !fileLike || name == "" || strings.HasSuffix(strings.ToLower(name), "'s record") {
		// "What does Kenji say?" is not about a file: leave it.
		if !fileLike {
			return nil, false, nil
		}
		return nil, true, refuse("I could not tell which file you mean")
	}
	return fileRead{name: name, about: about}, true, nil
}

func (fileRead) needs() []string { return []string{"files_search", "files_get"} }

func (f fileRead) run(r *runner) bool {
	file, fl := r.oneItem(f.name, "file", "")
	if fl != proceed {
		return cont(fl)
	}
	res, ok := r.exec(mk("files_get", "id", file.str("id"), "include_content", true))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not read %s: %s.", fileName(file), res[0].err)
		return true
	}
	text := res[0].data.str("content")
	if text == "" {
		note := res[0].data.str("note")
		if note == "" {
			note = "it has no text I can show"
		}
		r.say("I can't show what %s says: %s.", fileName(file), strings.TrimRight(note, "."))
		return true
	}
	if f.about == "" {
		r.say("%s says (file content, shown as data): %q", fileName(file), clip(strings.TrimSpace(text), 600))
		return true
	}
	var hits []string
	for _, line := range strings.Split(text, "\n") {
		if mentions(line, f.about) {
			hits = append(hits, strings.TrimSpace(line))
		}
	}
	if len(hits) == 0 {
		r.say("%s does not mention %q.", fileName(file), f.about)
		return true
	}
	r.say("%s mentions %q (file content, shown as data): %q", fileName(file), f.about, clip(strings.Join(hits, " "), 600))
	return true
}

// mentions reports whether line holds every word of about, allowing a
// plural ("discounts" finds "discount").
func mentions(line, about string) bool {
	l := strings.ToLower(line)
	for _, w := range strings.Fields(strings.ToLower(about)) {
		w = strings.Trim(w, ".,;:!?\"'")
		if w == "" || len(w) < 3 {
			continue
		}
		if !strings.Contains(l, w) && !strings.Contains(l, strings.TrimSuffix(w, "s")) {
			return false
		}
	}
	return true
}
