package local

import (
	"strings"
	"unicode"
)

// Cue phrases: the lexicon's word sequences that open a frame or mark
// where one of its slots starts ("create a new contact for", "'s phone
// to", "moved to"). They are matched word by word on the clause's
// tokens, case-insensitively, never with a regular expression. A cue is
// written as slots separated by spaces; a slot lists its alternatives
// with "|", a multi-word alternative joins its words with "_", and a
// slot in brackets is optional:
//
//	create|add [a|an] [new] contact|lead for|named|with_the_name
//
// An optional slot is taken when it fits and skipped when the rest of
// the cue then fits better, so "[the] contact" matches "the contact"
// and "contact" alike.

// cueSlot is one position of a cue: its alternatives, each a word
// sequence.
type cueSlot struct {
	alts [][]string
	opt  bool
}

// cue is a lexicon phrase, slot by slot.
type cue []cueSlot

// lexCue reads a cue from its written form (see above).
func lexCue(spec string) cue {
	var c cue
	for _, f := range strings.Fields(spec) {
		var sl cueSlot
		if strings.HasPrefix(f, "[") && strings.HasSuffix(f, "]") {
			sl.opt, f = true, f[1:len(f)-1]
		}
		for _, a := range strings.Split(f, "|") {
			sl.alts = append(sl.alts, strings.Split(a, "_"))
		}
		c = append(c, sl)
	}
	return c
}

// token is one word of a clause: its byte range and its form for
// matching (lower case, without a trailing comma, colon or semicolon).
type token struct {
	start, end int    // the word as written, punctuation included
	wend       int    // where the word ends without its punctuation
	norm       string // lower case, without the punctuation
}

// punctAfter reports whether the word as written ends with a comma,
// colon or semicolon (or an equals sign).
func (t token) punctAfter(s string) bool {
	return strings.ContainsAny(s[t.end-1:t.end], ",:;=")
}

// tokens splits s at white space.
func tokens(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		if s[i] == ' ' || s[i] == '\t' || s[i] == '\n' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' {
			j++
		}
		w := strings.TrimRight(s[i:j], ",:;=")
		out = append(out, token{start: i, end: j, wend: i + len(w), norm: strings.ToLower(w)})
		i = j
	}
	return out
}

// match matches c at toks[i:] and returns the index of the first token
// after it.
func (c cue) match(toks []token, i int) (int, bool) {
	if len(c) == 0 {
		return i, true
	}
	for _, alt := range c[0].alts {
		j, ok := i, true
		for _, w := range alt {
			if j >= len(toks) || toks[j].norm != w {
				ok = false
				break
			}
			j++
		}
		if ok {
			if k, ok := c[1:].match(toks, j); ok {
				return k, true
			}
		}
	}
	if c[0].opt {
		return c[1:].match(toks, i)
	}
	return 0, false
}

// opens matches c at the start of s and returns the text after it, as
// written (starting right after the cue's last word, so a colon or
// comma attached to that word is kept: see trimSep). It reads the words
// of s only as far as the cue goes, without splitting the whole clause.
func opens(s string, c cue) (after string, ok bool) {
	we, ok := c.matchStr(s, 0, -1)
	if !ok || we < 0 {
		return "", false
	}
	return s[we:], true
}

// nextWord finds the first word of s at or after byte i: where it
// starts, where it ends as written and where it ends without its
// trailing comma, colon, semicolon or equals sign.
func nextWord(s string, i int) (start, end, wend int, ok bool) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	if i >= len(s) {
		return 0, 0, 0, false
	}
	j := i
	for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' {
		j++
	}
	w := j
	for w > i && strings.IndexByte(",:;=", s[w-1]) >= 0 {
		w--
	}
	return i, j, w, true
}

// matchStr is match on the words of s from byte i, read one at a time;
// it returns where the last word it took ends (its wend), or lastWend
// when it took none.
func (c cue) matchStr(s string, i, lastWend int) (int, bool) {
	if len(c) == 0 {
		return lastWend, true
	}
	for _, alt := range c[0].alts {
		p, we, ok := i, lastWend, true
		for _, w := range alt {
			st, end, wend, found := nextWord(s, p)
			if !found || !strings.EqualFold(s[st:wend], w) {
				ok = false
				break
			}
			p, we = end, wend
		}
		if ok {
			if k, ok := c[1:].matchStr(s, p, we); ok {
				return k, true
			}
		}
	}
	if c[0].opt {
		return c[1:].matchStr(s, i, lastWend)
	}
	return 0, false
}

// findCue finds the first place at or after word from where c matches
// and returns the text before it (trimmed) and the text after it (as
// opens does).
func findCue(s string, c cue, from int) (before, after string, ok bool) {
	toks := tokens(s)
	for i := from; i < len(toks); i++ {
		if j, ok := c.match(toks, i); ok && j > i {
			return strings.TrimSpace(s[:toks[i].start]), s[toks[j-1].wend:], true
		}
	}
	return "", "", false
}

// endsWithCue matches c on the last words of s and returns the text
// before it. The earliest start that reaches the end wins.
func endsWithCue(s string, c cue, from int) (before string, ok bool) {
	toks := tokens(s)
	for i := from; i < len(toks); i++ {
		if j, ok := c.match(toks, i); ok && j == len(toks) && j > i {
			return strings.TrimSpace(s[:toks[i].start]), true
		}
	}
	return "", false
}

// trimSep drops the separators that may stand between a cue and its
// value: "contact: Tess", "phone = …", "New contact - Paul".
func trimSep(s string) string {
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), ":,;=-–— "))
}

// possessive splits "Jane Doe's phone to …" at the first word that ends
// in "'s" (or a plural "'"): the owner and the text after that word.
func possessive(s string) (owner, after string, ok bool) {
	for _, t := range tokens(s) {
		w := s[t.start:t.end]
		switch {
		case strings.HasSuffix(strings.ToLower(w), "'s") && len(w) > 2:
			return strings.TrimSpace(s[:t.end-2]), s[t.end:], true
		case strings.HasSuffix(w, "'") && len(w) > 1 && !strings.HasPrefix(w, "'"):
			return strings.TrimSpace(s[:t.end-1]), s[t.end:], true
		}
	}
	return "", "", false
}

// oneWord reports whether s is a single word of letters, digits and
// hyphens: a tag ("vip", "key-account").
func oneWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
