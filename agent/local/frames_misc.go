package local

import "strings"

// The frames of the small families: help, the installed extensions, a
// request that names only its kind ("Add a task": a question for what
// is missing, fill_slot.go) and a question about what a file says
// (file_read.go). Each is a whole clause or a cue and one slot.

// Their lexicon.
var (
	cueHelp         = lexCue("help|help_me|what_can_you_do|what_you_can_do|what_can_i_ask_you|what_can_i_ask|what_do_you_understand|how_do_i_use_you|how_do_i_use_this|commands")
	cueExtWhich     = lexCue("what|which extensions [are] installed|available|there|enabled")
	cueExtHave      = lexCue("what|which extensions [do] we|i have [installed]")
	cueExtList      = lexCue("list|show|get [me] [all] [the] [installed] extensions")
	cueExtAny       = lexCue("[do_we_have|do_i_have|do_we_got|do_i_got|have_we_got|have_i_got|have_we_have|have_i_have|are_there] any extensions [installed]")
	cueExtBare      = lexCue("extensions")
	cueBareTask     = lexCue("create|add|make|new|set_up [a|an] [new] task|to-do|todo|reminder")
	cueBareRemind   = lexCue("remind me")
	cueBareContact  = lexCue("create|add|make|new|save|register [a|an] [new] contact|lead|client|customer|prospect")
	cueBareEmail    = lexCue("send|write|compose|draft [a|an] [new] email|e-mail|message")
	cueFileMention  = lexCue("does|did [the]")
	cueMentionVerb  = lexCue("mention|say_anything_about|talk_about|cover|include|contain")
	cueFileSays     = lexCue("what does")
	cueTheArticle   = lexCue("the|a|an")
	cueSay          = lexCue("say")
	cueFileWhatIn   = lexCue("what's|what_is [written] in [the]")
	cueFileNoun     = lexCue("file|document|doc")
	cueFileReadMe   = lexCue("read|show [me|out] [the] [contents_of|content_of|text_of] [the] [file|document]")
	cueShowContents = lexCue("show [me] [the] contents|content|text of")
	cueReadTail     = lexCue("[out] to|for me|us")
	cueReadAloud    = lexCue("out_loud|aloud")
	cueRead         = lexCue("read")
	cueOpenFile     = lexCue("open|view|display|pull_up [up] [the]")
)

// miscFrames compete like every other frame: each is a whole
// clause no other family reads.
var miscFrames = []frameDef{
	{"help", fitHelp},
	{"bare-request", fitBareRequest},
	{"extensions", fitExtensions},
}

// fileReadFrames stand before the bulk frames.
var fileReadFrames = []frameDef{{"file-read", fitFileRead}}

func init() {
	frameWords["help"] = "what I can do"
	frameWords["bare-request"] = "a request to complete"
	frameWords["extensions"] = "the installed extensions"
	frameWords["file-read"] = "what a file says"
}

func fitHelp(s string, _ []span, _ calendar) (frameFit, bool) {
	if whole(s, cueHelp) {
		return frameFit{score: scoreNamed, it: help{}}, true
	}
	return frameFit{}, false
}

func fitExtensions(s string, _ []span, _ calendar) (frameFit, bool) {
	for _, c := range []cue{cueExtWhich, cueExtHave, cueExtList, cueExtAny, cueExtBare} {
		if whole(s, c) {
			return frameFit{score: scoreNamed, it: extensionsList{}}, true
		}
	}
	return frameFit{}, false
}

// "Add a task", "Remind me", "Create a contact", "Send an email".
func fitBareRequest(s string, _ []span, _ calendar) (frameFit, bool) {
	for _, b := range []struct {
		c    cue
		fill fillSlot
	}{
		{cueBareTask, fillSlot{"What should the task be? For example: call Jane tomorrow.", "Add a task to"}},
		{cueBareRemind, fillSlot{"What should I remind you of, and when? For example: call Jane tomorrow.", "Remind me to"}},
		{cueBareContact, fillSlot{"Who is the new contact? Give a name and any details, for example: Jane Doe, CEO of Acme Corp, jane@acme.com.", "Create a contact for"}},
		{cueBareEmail, fillSlot{"Who should the email go to, and what should it say? For example: Priya saying the pilot starts on Monday.", "Send an email to"}},
	} {
		if whole(s, b.c) {
			return frameFit{score: scoreNamed, it: b.fill}, true
		}
	}
	return frameFit{}, false
}

// "What does Pricing.txt say?", "Read me the onboarding pack", "What's
// in the pricing file?", "Does the pricing file mention discounts?".
// Only names that read as a file qualify: with an extension, or
// followed by "file" or "document", or after "read me".
func fitFileRead(s string, _ []span, _ calendar) (frameFit, bool) {
	var name, about string
	fileLike, bare := false, false
	if rest, ok := opens(s, cueFileMention); ok {
		if n, a, ok := findCue(rest, cueMentionVerb, 1); ok && strings.TrimSpace(a) != "" {
			name, about, fileLike = n, unquote(strings.TrimSpace(a)), true
		}
	}
	if name == "" {
		if rest, ok := opens(s, cueFileSays); ok {
			if n, ok := endsWithCue(rest, cueSay, 1); ok {
				// "What does the onboarding pack say?": a person takes no article.
				name = n
				if r, ok := opens(n, cueTheArticle); ok {
					fileLike = true
					if strings.EqualFold(strings.Fields(n)[0], "the") {
						name = strings.TrimSpace(r)
					}
				}
			}
		}
	}
	if name == "" {
		if rest, ok := opens(s, cueFileWhatIn); ok {
			rest = strings.TrimSpace(rest)
			toks := tokens(rest)
			if len(toks) > 1 && cueFileNoun.matches(toks[len(toks)-1]) || len(toks) == 1 && reFileExt.MatchString(rest) {
				name, fileLike = rest, true
			}
		}
	}
	if name == "" {
		// "Open Pricing.txt", "view the pricing file": an extension or
		// the word "file" makes it a file (a folder is listed instead).
		if rest, ok := opens(s, cueOpenFile); ok {
			if r := strings.TrimSpace(rest); reFileExt.MatchString(r) || endsWithFileNoun(r) {
				name = r
			}
		}
	}
	if name == "" {
		_, isRead := opens(s, cueRead)
		_, isShow := opens(s, cueShowContents)
		if isRead || isShow {
			if rest, ok := opens(s, cueFileReadMe); ok {
				name, fileLike = readTarget(rest), true
				// "Read me X": only an extension or "file" says X is one.
				bare = isRead && !isShow && !namesFileWord(s[:len(s)-len(rest)])
			}
		}
	}
	if name == "" {
		return frameFit{}, false
	}
	name = unquote(strings.TrimSpace(name))
	if before, ok := endsWithCue(name, cueFileNoun, 1); ok {
		name, fileLike, bare = before, true, false
	}
	if reFileExt.MatchString(name) {
		fileLike, bare = true, false
	}
	if !fileLike {
		return frameFit{}, false // "What does Kenji say?" is not about a file
	}
	if name == "" || strings.HasSuffix(strings.ToLower(name), "'s record") {
		return frameFit{score: scoreNamed, err: refuse("I could not tell which file you mean")}, true
	}
	if bare {
		return frameFit{score: scoreBare, it: fileRead{name: name, about: about}}, true
	}
	return frameFit{score: scoreNamed, it: fileRead{name: name, about: about}}, true
}

// namesFileWord reports whether a cue's words call the thing read a
// file or a document ("read me the file …", "the contents of …").
func namesFileWord(cueText string) bool {
	for _, t := range tokens(cueText) {
		switch t.norm {
		case "file", "document", "contents", "content", "text":
			return true
		}
	}
	return false
}

// readTarget drops who a file is read to: "Pricing.txt to me", "… out
// loud".
func readTarget(s string) string {
	s = strings.TrimSpace(s)
	for {
		if before, ok := endsWithCue(s, cueReadTail, 1); ok {
			s = before
			continue
		}
		if before, ok := endsWithCue(s, cueReadAloud, 1); ok {
			s = before
			continue
		}
		return s
	}
}

// endsWithFileNoun reports whether s ends with "file" or "document"
// after a name.
func endsWithFileNoun(s string) bool {
	_, ok := endsWithCue(s, cueFileNoun, 1)
	return ok
}
