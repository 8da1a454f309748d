package local

import (
	"strings"
	"unicode"
)

// Lexicon entries matched word by word: an idiom is written as cue
// slots (cues.go: alternatives with "|", words of one alternative joined
// with "_", optional slots in brackets) and capture slots, and its
// canonical wording as a template with $1, $2 … for the captures:
//
//	bin_off|bin|ditch|scrap|trash            → delete
//	{p} can go $                             → delete $1
//	tick ([the]) {*} off $                   → complete $1 $2
//
// The capture slots:
//
//	{*}     one or more words, as few as the rest allows
//	{w}     one word of letters, digits and hyphens ("vip", "Tom")
//	{p}     a person's name: one to four name words, as many as fit
//	{p2}    one or two name words
//	{n2}    one or two name words, the first capitalised ("Sam", not
//	        "delete the")
//	{p's}   a name whose last word ends in 's or ' ("Jane Doe's"); the
//	        capture is the name without it
//	{sep}   no word: the word before ends with , : ; or a dash follows
//	{brk}   a clause break: the word before ends with . , ; ? or ! (the
//	        mark is replaced with the entry), or the word "and"
//	{comma} no word: the word before ends with a comma (replaced with the
//	        entry)
//	{mid}   no word: the entry does not start the clause
//	…       no word: at least one word follows
//	(…)     a cue slot whose matched words are captured
//
// An entry is anchored at the start of the clause; "~" before it lets it
// match anywhere (every occurrence is rewritten), "+" makes it repeat
// while it matches, and "$" at its end anchors it at the clause's end.
// An entry not anchored at the end needs at least one word after it;
// the words after it follow the template as written.

// lexSlot is one position of a lexicon entry.
type lexSlot struct {
	lit     cueSlot
	capture bool   // a literal slot whose words are captured
	kind    string // "", "*", "w", "p", "p2", "p's", "sep"
}

// wordRule is one lexicon entry matched word by word.
type wordRule struct {
	slots    []lexSlot
	anywhere bool
	repeat   bool
	atEnd    bool
	repl     string
	first    map[string]bool // the words the entry can start with; nil: any
}

// lexWords reads a lexicon entry from its written form (see above).
func lexWords(spec, repl string) wordRule {
	r := wordRule{repl: repl}
	f := strings.Fields(spec)
	for len(f) > 0 && (f[0] == "~" || f[0] == "+") {
		r.anywhere = r.anywhere || f[0] == "~"
		r.repeat = r.repeat || f[0] == "+"
		f = f[1:]
	}
	if len(f) > 0 && f[len(f)-1] == "$" {
		r.atEnd, f = true, f[:len(f)-1]
	}
	for _, w := range f {
		switch {
		case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}"):
			r.slots = append(r.slots, lexSlot{kind: w[1 : len(w)-1]})
		case w == "…":
			r.slots = append(r.slots, lexSlot{kind: "more"})
		case strings.HasPrefix(w, "(") && strings.HasSuffix(w, ")"):
			s := lexCue(w[1 : len(w)-1])[0]
			r.slots = append(r.slots, lexSlot{lit: s, capture: true})
		default:
			r.slots = append(r.slots, lexSlot{lit: lexCue(w)[0]})
		}
	}
	if sl := r.slots[0]; sl.kind == "" && !sl.lit.opt && !sl.capture || sl.capture && !sl.lit.opt {
		r.first = map[string]bool{}
		for _, a := range sl.lit.alts {
			r.first[a[0]] = true
		}
	}
	return r
}

// lexTok is a clause's word for the lexicon: as cues.go reads it, with
// a final "!", "." or "?" also left out of the form it is matched by.
type lexTok struct {
	token
	key string
}

func lexTokens(s string) []lexTok {
	ts := tokens(s)
	out := make([]lexTok, len(ts))
	for i, t := range ts {
		out[i] = lexTok{t, strings.TrimRight(t.norm, "!.?")}
	}
	return out
}

// lexMatch is one way an entry matched: where it ended and its captures
// as token ranges ([from, to); from == to for an empty optional capture).
type lexMatch struct {
	end  int
	caps [][2]int
}

// match matches the slots from token i; caps holds the captures so far.
func (r wordRule) match(s string, toks []lexTok, k, i int, caps [][2]int) (lexMatch, bool) {
	if k == len(r.slots) {
		if r.atEnd && i != len(toks) || !r.atEnd && !r.anywhere && i >= len(toks) {
			return lexMatch{}, false
		}
		return lexMatch{end: i, caps: caps}, true
	}
	sl := r.slots[k]
	next := func(j int, capture bool) (lexMatch, bool) {
		c := caps
		if capture {
			c = append(append([][2]int{}, caps...), [2]int{i, j})
		}
		return r.match(s, toks, k+1, j, c)
	}
	switch sl.kind {
	case "":
		for _, alt := range sl.lit.alts {
			j, ok := i, true
			for _, w := range alt {
				if j >= len(toks) || toks[j].key != w {
					ok = false
					break
				}
				j++
			}
			if ok {
				if m, ok := next(j, sl.capture); ok {
					return m, true
				}
			}
		}
		if sl.lit.opt {
			return next(i, sl.capture)
		}
		return lexMatch{}, false
	case "more":
		if i < len(toks) {
			return next(i, false)
		}
		return lexMatch{}, false
	case "comma":
		if i > 0 && s[toks[i-1].end-1] == ',' {
			return next(i, false)
		}
		return lexMatch{}, false
	case "mid":
		if i > 0 {
			return next(i, false)
		}
		return lexMatch{}, false
	case "brk":
		if i > 0 && strings.ContainsAny(s[toks[i-1].end-1:toks[i-1].end], ".,;?!") {
			return next(i, false)
		}
		if i < len(toks) && toks[i].key == "and" && i > 0 {
			return next(i+1, false)
		}
		return lexMatch{}, false
	case "sep":
		if i > 0 && i <= len(toks) && toks[i-1].punctAfter(s) {
			return next(i, false)
		}
		if i < len(toks) && isDash(toks[i].key) {
			return next(i+1, false)
		}
		return lexMatch{}, false
	case "*":
		for j := i + 1; j <= len(toks); j++ {
			if m, ok := next(j, true); ok {
				return m, true
			}
		}
	case "w":
		if i < len(toks) && oneWord(s[toks[i].start:toks[i].wend]) {
			return next(i+1, true)
		}
	case "p", "p2", "n2":
		most := 4
		if sl.kind != "p" {
			most = 2
		}
		if sl.kind == "n2" && (i >= len(toks) || !capitalised(s[toks[i].start:toks[i].end])) {
			return lexMatch{}, false
		}
		n := 0
		for n < most && i+n < len(toks) {
			// A name may end with a comma or colon ("for Emma Schultz:").
			t := toks[i+n]
			if !nameWord(s[t.start:t.wend]) {
				break
			}
			n++
			if t.wend != t.end {
				break
			}
		}
		for ; n >= 1; n-- {
			if m, ok := next(i+n, true); ok {
				return m, true
			}
		}
	case "p's":
		for n := 1; n <= 4 && i+n <= len(toks); n++ {
			last := s[toks[i+n-1].start:toks[i+n-1].end]
			if _, ok := possessiveWord(last); ok {
				if m, ok := next(i+n, true); ok {
					return m, true
				}
				break
			}
			if !nameWord(last) {
				break
			}
		}
	}
	return lexMatch{}, false
}

// possessiveWord strips "'s" or a final "'" from a name word.
func possessiveWord(w string) (string, bool) {
	switch {
	case len(w) > 2 && strings.HasSuffix(strings.ToLower(w), "'s") && nameWord(w[:len(w)-2]):
		return w[:len(w)-2], true
	case len(w) > 1 && strings.HasSuffix(w, "'") && nameWord(w[:len(w)-1]):
		return w[:len(w)-1], true
	}
	return "", false
}

// nameWord reports whether w is a word of a person's name: a letter,
// then letters, marks, dots, apostrophes and hyphens.
func nameWord(w string) bool {
	for i, r := range w {
		if i == 0 && !unicode.IsLetter(r) {
			return false
		}
		if !unicode.IsLetter(r) && !unicode.Is(unicode.M, r) && r != '.' && r != '\'' && r != '-' {
			return false
		}
	}
	return w != ""
}

func isDash(w string) bool { return w == "-" || w == "–" || w == "—" }

// capText is a capture's text as written: a possessive loses its 's, a
// capture followed by more of the entry loses the comma or colon after
// its last word.
func (r wordRule) capText(s string, toks []lexTok, c [2]int, kind string, last bool) string {
	if c[0] == c[1] {
		return ""
	}
	end := toks[c[1]-1].wend
	if last {
		end = toks[c[1]-1].end
	}
	text := s[toks[c[0]].start:end]
	if kind == "p's" {
		w := s[toks[c[1]-1].start:toks[c[1]-1].end]
		name, _ := possessiveWord(w)
		text = s[toks[c[0]].start:toks[c[1]-1].start] + name
	}
	return text
}

// apply rewrites s, whose words are toks, with the entry, or returns it
// unchanged.
func (r wordRule) apply(s string, toks []lexTok) (string, bool) {
	changed := false
	for range 8 {
		out, ok := r.applyOnce(s, toks)
		if !ok {
			break
		}
		s, changed = out, true
		if !r.repeat {
			break
		}
		toks = lexTokens(s)
	}
	return s, changed
}

func (r wordRule) applyOnce(s string, toks []lexTok) (string, bool) {
	if len(toks) == 0 || !r.anywhere && r.first != nil && !r.first[toks[0].key] {
		return s, false
	}
	var b strings.Builder
	done, changed := 0, false // done: the byte up to which s is copied
	for i := 0; i < len(toks); i++ {
		if !r.anywhere && i > 0 {
			break
		}
		if r.first != nil && !r.first[toks[i].key] {
			continue
		}
		m, ok := r.match(s, toks, 0, i, nil)
		if !ok || m.end == i {
			continue
		}
		repl := r.fill(s, toks, m)
		cut := toks[i].start
		if k := r.slots[0].kind; k == "brk" && toks[i].key != "and" || k == "comma" {
			cut = len(strings.TrimRight(s[:toks[i-1].end], ".,;?!"))
		}
		if cut < done {
			continue
		}
		b.WriteString(s[done:cut])
		if strings.HasPrefix(repl, ",") {
			// ", based in": the comma follows the word before.
			kept := strings.TrimRight(b.String(), " ")
			b.Reset()
			b.WriteString(kept)
		}
		b.WriteString(repl)
		if m.end < len(toks) {
			if r.anywhere && !r.endsWithSep() {
				done = toks[m.end-1].wend
			} else if r.anywhere {
				done = toks[m.end-1].end // "due: Friday": the label's colon goes
			} else if t, last := toks[m.end-1], r.slots[len(r.slots)-1]; r.repl != "" && last.kind == "" && !last.lit.opt && s[t.wend:t.end] == "," {
				// "put X into the contacts, a buyer at …": a comma after
				// the entry's last word stays.
				done = t.end
				b.WriteString(", ")
			} else {
				done = toks[m.end-1].end
				b.WriteByte(' ')
			}
		} else {
			done = len(s)
		}
		changed = true
		if !r.anywhere {
			break
		}
		i = m.end - 1
	}
	if !changed {
		return s, false
	}
	b.WriteString(s[done:])
	// The text that follows (an email body) starts after a space.
	trail := s[len(strings.TrimRight(s, " ")):]
	return strings.Join(strings.Fields(b.String()), " ") + trail, true
}

// fill writes the template with the captures of m.
func (r wordRule) fill(s string, toks []lexTok, m lexMatch) string {
	var kinds []string
	for _, sl := range r.slots {
		if sl.kind != "" && !zeroWidth[sl.kind] && sl.kind != "brk" || sl.capture {
			kinds = append(kinds, sl.kind)
		}
	}
	var b strings.Builder
	for i := 0; i < len(r.repl); i++ {
		if r.repl[i] == '$' && i+1 < len(r.repl) && r.repl[i+1] >= '1' && r.repl[i+1] <= '9' {
			n := int(r.repl[i+1] - '1')
			if n < len(m.caps) {
				c := m.caps[n]
				b.WriteString(r.capText(s, toks, c, kinds[n], c[1] == len(toks)))
			}
			i++
			continue
		}
		b.WriteByte(r.repl[i])
	}
	return b.String()
}

// zeroWidth are the slots that take no word.
var zeroWidth = map[string]bool{"sep": true, "mid": true, "more": true, "comma": true}

// startsWith reports whether s, after any of the words of skip, starts
// with one of the words of c (a cue slot list). Words are compared as the
// lexicon reads them (a final "!", "." or "?" left out).
func startsWith(s string, skip, c cue) bool {
	lt := lexTokens(s)
	toks := make([]token, len(lt))
	for i, t := range lt {
		toks[i] = t.token
		toks[i].norm = t.key
	}
	i := 0
	for i < len(toks) {
		j, ok := skip.match(toks, i)
		if !ok || j == i {
			break
		}
		i = j
	}
	j, ok := c.match(toks, i)
	return ok && j > i
}

// hasWord reports whether s holds one of words as a word of its own.
func hasWord(s string, words map[string]bool) bool {
	for _, t := range lexTokens(s) {
		if words[t.key] {
			return true
		}
	}
	return false
}

// endsWithSep reports whether the entry's last slot (before "…") is
// {sep}: a label such as "due:", whose mark the rewrite drops.
func (r wordRule) endsWithSep() bool {
	for k := len(r.slots) - 1; k >= 0; k-- {
		switch r.slots[k].kind {
		case "more":
			continue
		case "sep":
			return true
		}
		return false
	}
	return false
}
