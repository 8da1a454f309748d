package local

import "strings"

// fileRead: "What does Pricing.txt say?", "Read me the onboarding pack",
// "Does the pricing file mention discounts?" — a question answered from
// a file's stored text. The text is data: it is quoted in the reply and
// never read as a request.
type fileRead struct {
	name  string
	about string // "mention X": only the lines about X
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
