package local

import (
	"regexp"
	"strings"
)

// Contact updates: "Set Priya's title to CIO", "John Smith now works at
// Initech", "Add the tag vip to Emma", "Add a note to Emma: …".

var (
	reUpdPossessive = re(`^(?:update|change|set|edit|correct|fix|make)\s+(?:the\s+)?(.+?)(?:'s|')\s+(` + fieldWords + `)(?:\s+from\s+.+?)?(?:\s*[:=]|\s+(?:to|as|into))\s*(.+)$`)
	reUpdOf         = re(`^(?:update|change|set|edit|correct|fix)\s+(?:the\s+)?(` + fieldWords + `)\s+(?:of|for)\s+(.+?)(?:\s+from\s+.+?)?\s+to\s+(.+)$`)
	reUpdPronoun    = re(`^(?:update|change|set|edit)\s+(his|her|their)\s+(` + fieldWords + `)\s+(?:to|as)\s+(.+)$`)
	reUpdIs         = re(`^(.+?)(?:'s|')\s+(?:new\s+)?(` + fieldWords + `)\s+(?:is|should\s+be|needs\s+to\s+be|has\s+changed\s+to|changed\s+to)\s+(?:now\s+)?(.+)$`)
	reUpdMoved      = re(`^(.+?)\s+(?:has\s+)?(?:moved|relocated)\s+to\s+(.+)$`)
	reUpdWorks      = re(`^(.+?)\s+(?:now\s+works|works\s+now|has\s+joined|joined)\s+(?:at\s+|for\s+)?(.+)$`)
	reUpdIsNow      = re(`^(.+?)\s+is\s+now\s+(?:the\s+|a\s+|an\s+)?(.+)$`)
	reUpdContact    = re(`^(?:update|edit|change)\s+(?:the\s+)?contact\s+(.+?)\s*(?::|,|\s+with|\s+set(?:ting)?)\s+(.+)$`)
	reUpdNamed      = re(`^(?:update|edit|change)\s+(.+?)(?:(?:'s|')\s+(?:details|info|information|record|contact(?:\s+(?:details|info))?))?\s*:\s*(.+)$`)
	reTagContact    = re(`^tag\s+(.+?)\s+(?:as|with)\s+(.+)$`)
	reMarkAs        = re(`^mark\s+(.+?)\s+as\s+(?:an?\s+)?([\p{L}-]+)$`)
	reTagAdd        = re(`^(?:add|put|apply)\s+(?:the\s+|a\s+)?(?:tags?\s+(.+?)|(\S+)\s+tag)\s+(?:to|on)\s+(.+)$`)
	reTagDrop       = re(`^(?:remove|delete|drop|take\s+off)\s+(?:the\s+|a\s+)?(?:tags?\s+(.+?)|(\S+)\s+tag)\s+(?:from|on|of)\s+(.+)$`)
	reUntag         = re(`^untag\s+(.+?)\s+(?:as|from)\s+(.+)$`)
	reAddNote       = re(`^(?:add|put|attach|leave)\s+(?:a\s+)?note\s+(?:to|on|for)\s+(.+?)\s*(?::|\s+saying|\s+that\s+says|\s+-)\s*(.+)$`)
)

// parseContactUpdate recognises changes to one contact.
func parseContactUpdate(s string) (intent, bool, *parseError) {
	target := func(who string, key, value string) (intent, bool, *parseError) {
		ref, ok := refOf(who)
		if !ok {
			return nil, false, nil
		}
		u := contactUpdate{who: ref}
		if err := u.set.set(key, value); err != nil {
			return nil, true, err
		}
		return u, true, nil
	}
	if it, ok := parseTagChange(s); ok {
		return it, true, nil
	}
	if m := reAddNote.FindStringSubmatch(s); m != nil {
		if ref, ok := refOf(m[1]); ok {
			return contactUpdate{who: ref, addNote: strings.TrimSpace(m[2])}, true, nil
		}
	}
	if m := reUpdPronoun.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdPossessive.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdOf.FindStringSubmatch(s); m != nil {
		return target(m[2], fieldKey(m[1]), m[3])
	}
	if m := reUpdContact.FindStringSubmatch(s); m != nil {
		ref, ok := refOf(m[1])
		if !ok {
			return nil, true, refuse("I could not tell which contact %q is; give the full name or the email", m[1])
		}
		return updateFields(ref, m[2])
	}
	if m := reUpdNamed.FindStringSubmatch(s); m != nil {
		if ref, ok := refOf(m[1]); ok && ref.pron == "" {
			return updateFields(ref, m[2])
		}
	}
	if m := reUpdIs.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdMoved.FindStringSubmatch(s); m != nil {
		return target(m[1], "city", m[2])
	}
	if m := reUpdWorks.FindStringSubmatch(s); m != nil {
		return target(m[1], "company", m[2])
	}
	if m := reUpdIsNow.FindStringSubmatch(s); m != nil {
		ref, ok := refOf(m[1])
		if !ok || ref.pron != "" {
			return nil, false, nil
		}
		u := contactUpdate{who: ref}
		if err := u.set.segment(m[2]); err != nil {
			return nil, true, err
		}
		return u, true, nil
	}
	return nil, false, nil
}

// updateFields reads "phone +1 555 0100, city Paris" for one contact.
func updateFields(ref contactRef, list string) (intent, bool, *parseError) {
	u := contactUpdate{who: ref}
	for _, seg := range splitList(list) {
		if fv := reFieldValue.FindStringSubmatch(seg); fv != nil {
			if err := u.set.set(fieldKey(fv[1]), fv[2]); err != nil {
				return nil, true, err
			}
		} else if err := u.set.segment(seg); err != nil {
			return nil, true, err
		}
	}
	return u, true, nil
}

// parseTagChange reads tags added to or removed from one contact: "Tag
// Emma as vip", "Add the tag vip to Emma", "Mark Priya as vip",
// "Remove the vip tag from Priya".
func parseTagChange(s string) (intent, bool) {
	either := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	for _, rx := range []*regexp.Regexp{reTagAdd, reTagDrop} {
		if m := rx.FindStringSubmatch(s); m != nil {
			ref, ok := refOf(m[3])
			if !ok {
				return nil, false
			}
			tags := splitList(either(m[1], m[2]))
			if rx == reTagAdd {
				return contactUpdate{who: ref, addTags: tags}, true
			}
			return contactUpdate{who: ref, dropTags: tags}, true
		}
	}
	if m := reUntag.FindStringSubmatch(s); m != nil {
		if ref, ok := refOf(m[1]); ok {
			return contactUpdate{who: ref, dropTags: splitList(m[2])}, true
		}
	}
	if m := reTagContact.FindStringSubmatch(s); m != nil {
		if ref, ok := refOf(m[1]); ok {
			return contactUpdate{who: ref, addTags: splitList(m[2])}, true
		}
	}
	// "Mark X as done" is a task; "Mark Priya Patel as vip" a tag.
	if m := reMarkAs.FindStringSubmatch(s); m != nil && !reStatusWord.MatchString(m[2]) {
		if ref, ok := refOf(m[1]); ok && ref.name != "" {
			return contactUpdate{who: ref, addTags: []string{m[2]}}, true
		}
	}
	return nil, false
}
