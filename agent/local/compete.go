package local

import "strings"

// One competition per clause: every candidate frame of every family
// reads the clause, each fit carries its score, and the best reading
// wins only by a margin (scoreFits). No family is tried before another.

// familyDef is one tool family's frames and the form of the clause they
// read (prep: "Delete the X task" read as "Delete the task X").
type familyDef struct {
	name   string
	prep   func(string) string
	frames []frameDef
	spans  bool // the frames read the recognised spans
	post   func(frameFit) frameFit
}

// families are all the frames, in no order: the score decides.
var families []familyDef

func init() {
	families = []familyDef{
		{name: "first", frames: frameDefs, spans: true},
		{name: "misc", frames: miscFrames},
		{name: "file-read", frames: fileReadFrames},
		{name: "bulk", frames: bulkFrames},
		{name: "bulk-email", frames: []frameDef{{"bulk-email", fitBulkEmail}}},
		{name: "org", frames: orgFrames},
		{name: "task", prep: taskLast, frames: append(append([]frameDef{}, taskFrames...), taskFindFrames...), post: vagueTask},
		{name: "email", frames: emailFrames},
		{name: "file", prep: fileLast, frames: fileFrames},
		{name: "contact", frames: append(append([]frameDef{}, contactFrames...), contactReadFrames...)},
	}
}

// candidates are every frame's reading of s.
func candidates(s string, cal calendar) []frameFit {
	var sp []span
	var fits []frameFit
	for _, fam := range families {
		in := s
		if fam.prep != nil {
			in = fam.prep(s)
		}
		var fsp []span
		if fam.spans {
			if sp == nil {
				sp = spansOf(s, cal)
			}
			fsp = sp
		}
		for _, f := range fam.frames {
			if fit, ok := f.fit(in, fsp, cal); ok {
				fit.frame = f.name
				if fam.post != nil {
					fit = fam.post(fit)
				}
				fits = append(fits, fit)
			}
		}
	}
	return fits
}

// compete reads one clause with every frame of every family.
func compete(s string, cal calendar) (intent, bool, *parseError) {
	return scoreFits(candidates(s, cal))
}

func init() { frameWords["bulk-email"] = "an email to every contact a filter matches" }

// fitBulkEmail is the bulk email parser as a frame.
func fitBulkEmail(s string, _ []span, cal calendar) (frameFit, bool) {
	it, ok, err := parseBulkEmail(s, cal)
	return fromParser(it, ok, err, scoreNamed)
}

// vagueTask turns a change to a task named only by a pronoun ("Mark it
// as done") into a refusal: the title search would match any task.
func vagueTask(f frameFit) frameFit {
	if c, ok := f.it.(taskChange); ok && f.err == nil && vagueTasks[strings.ToLower(c.task)] {
		f.it, f.err = nil, refuse("I can't tell which task %q is; give its title", c.task)
	}
	return f
}
