package local

import "strings"

// The bulk contact frames: one change to every contact a filter matches
// ("Tag every contact at Globex as key-account", "Move all our Umbrella
// contacts to Valencia", "Delete all contacts from Acme"). A quantifier
// ("all", "every", "each") before "contacts" is the cue; the filter is
// read by parseFilter; the change is a tag, a city or a delete. They
// always ask first (bulk_contacts.go).

// The bulk family's lexicon.
var (
	cueQuantifier = lexCue("all|every|each [of] [the|our|my]")
	cueContacts   = lexCue("contacts|contact")
	cueBulkTag    = lexCue("tag|label|mark")
	cueBulkUntag  = lexCue("untag")
	cueBulkAddTag = lexCue("add|put|stick")
	cueBulkCity   = lexCue("move|set|change|update [the_city_of|the_city_for]")
	cueBulkGets   = lexCue("should_get|gets|get|needs|need|should_have [the|a] tag")
	cueTheTag     = lexCue("the tag")
	cueTagAfter   = lexCue("as|with [the_tag|a|an]")
)

// bulkFrames are the bulk contact changes. Their cue names the
// quantifier and the record kind, so they outscore the file family's
// reading of "Move all our Umbrella contacts to Valencia" as a move.
var bulkFrames = []frameDef{
	{"bulk-tag", fitBulkTag},
	{"bulk-city", fitBulkCity},
	{"bulk-delete", fitBulkDelete},
}

func init() {
	frameWords["bulk-tag"] = "tagging every contact a filter matches"
	frameWords["bulk-city"] = "moving every contact a filter matches"
	frameWords["bulk-delete"] = "deleting every contact a filter matches"
}

// quantified reads "all our Umbrella contacts at …" at the start of s:
// the word before "contacts" (mod, a city, company or tag) and the text
// after it (the filter and the change).
func quantified(s string) (mod, rest string, ok bool) {
	after, ok := opens(s, cueQuantifier)
	if !ok {
		return "", "", false
	}
	after = strings.TrimSpace(after)
	if r, ok := opens(after, cueContacts); ok {
		return "", r, true
	}
	toks := tokens(after)
	if len(toks) >= 2 && cueContacts.matches(toks[1]) && toks[0].end == toks[0].wend && reNameWord.MatchString(after[toks[0].start:toks[0].end]) {
		return after[toks[0].start:toks[0].end], after[toks[1].wend:], true
	}
	return "", "", false
}

// bulkOf builds the bulk intent from what a frame read.
func bulkOf(mod, rest, tag, city string, del bool) (frameFit, bool) {
	f, err := parseFilter(strings.TrimSpace(rest))
	if err != nil {
		return frameFit{score: scoreNamed, err: err}, true
	}
	if mod != "" && !bulkNotMods[strings.ToLower(mod)] {
		if f.from != "" || f.company != "" {
			return frameFit{score: scoreNamed, err: refuse("I could not tell which contacts \"%s contacts %s\" means", mod, strings.TrimSpace(rest))}, true
		}
		f.from = mod // "all our Umbrella contacts": a city or a company
	}
	if del {
		return frameFit{score: scoreNamed, it: contactDeleteAll{filter: f}}, true
	}
	if f.describe() == "" {
		return frameFit{score: scoreNamed, err: refuse("I change many contacts at once only with a filter, e.g. \"Tag every contact at Acme as vip\"")}, true
	}
	if city != "" && !validName(city) {
		return frameFit{score: scoreNamed, err: refuse("%q does not look like a city", city)}, true
	}
	u := contactUpdateAll{filter: f, city: city}
	if tag != "" {
		u.addTags = []string{tag}
	}
	return frameFit{score: scoreNamed, it: u}, true
}

// bulkNotMods are words before "contacts" that are no filter.
var bulkNotMods = wordSet(`the our my of contact contacts`)

// lastTag splits "at Globex as key-account" into the text before the
// cue c and the one-word tag that ends s.
func lastTag(s string, c cue) (before, tag string, ok bool) {
	toks := tokens(s)
	if len(toks) < 2 {
		return "", "", false
	}
	last := toks[len(toks)-1]
	tag = s[last.start:last.end]
	if !oneWord(tag) {
		return "", "", false
	}
	for i := 0; i < len(toks)-1; i++ {
		if j, ok := c.match(toks, i); ok && j == len(toks)-1 {
			return strings.TrimSpace(s[:toks[i].start]), tag, true
		}
	}
	return "", "", false
}

// "Tag every contact at Globex as key-account", "Add the tag promo to
// every customer", "Each contact tagged customer should get the tag
// renewal".
func fitBulkTag(s string, _ []span, _ calendar) (frameFit, bool) {
	if after, ok := opens(s, cueBulkUntag); ok {
		// "Untag every contact in London as customer" (the lexicon's
		// form of "remove the customer tag from everyone in London").
		if mod, rest, ok := quantified(strings.TrimSpace(after)); ok {
			if filter, tag, ok := lastTag(rest, cueTagAfter); ok {
				fit, ok := bulkOf(mod, filter, tag, "", false)
				if u, isU := fit.it.(contactUpdateAll); isU {
					u.dropTags, u.addTags = u.addTags, nil
					if u.filter.tag == "" {
						u.filter.tag = tag // only the contacts that have it
					}
					fit.it = u
				}
				return fit, ok
			}
		}
	}
	if after, ok := opens(s, cueBulkTag); ok {
		if mod, rest, ok := quantified(strings.TrimSpace(after)); ok {
			if filter, tag, ok := lastTag(rest, cueTagAfter); ok {
				return bulkOf(mod, filter, tag, "", false)
			}
		}
	}
	if after, ok := opens(s, cueBulkAddTag); ok {
		after = strings.TrimSpace(after)
		toks := tokens(after)
		tag, i := "", 0
		switch {
		case len(toks) > 3 && cueTheTag.matches2(toks):
			tag, i = after[toks[2].start:toks[2].end], 3
		case len(toks) > 3 && cueAnA.matches(toks[0]) || len(toks) > 3 && toks[0].norm == "the":
			if toks[2].norm == "tag" {
				tag, i = after[toks[1].start:toks[1].end], 3
			}
		}
		if tag != "" && oneWord(tag) && cueToOn.matches(toks[i]) && i+1 < len(toks) {
			if mod, rest, ok := quantified(after[toks[i+1].start:]); ok {
				return bulkOf(mod, rest, tag, "", false)
			}
		}
	}
	if mod, rest, ok := quantified(s); ok {
		if filter, tag, ok := lastTag(rest, cueBulkGets); ok {
			return bulkOf(mod, filter, tag, "", false)
		}
	}
	return frameFit{}, false
}

// matches2 reports whether the two-word cue c fits the first two tokens.
func (c cue) matches2(toks []token) bool {
	j, ok := c.match(toks, 0)
	return ok && j == 2
}

// "Move all our Umbrella contacts to Valencia".
func fitBulkCity(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueBulkCity)
	if !ok {
		return frameFit{}, false
	}
	mod, rest, ok := quantified(strings.TrimSpace(after))
	if !ok {
		return frameFit{}, false
	}
	filter, city, ok := findCue(rest, cueTo, 0)
	if !ok || strings.TrimSpace(city) == "" {
		return frameFit{}, false
	}
	return bulkOf(mod, filter, "", unquote(city), false)
}

// "Delete all contacts from Acme", "Remove every contact at Initech".
func fitBulkDelete(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueDelVerb)
	if !ok {
		return frameFit{}, false
	}
	mod, rest, ok := quantified(strings.TrimSpace(after))
	if !ok {
		return frameFit{}, false
	}
	return bulkOf(mod, rest, "", "", true)
}
