package local

import "strings"

// The contact reading frames: lists and searches ("Find all contacts
// from London", "Who do we know in Paris?", "Show me all our
// customers", "Who works at Initech?", "find Jane"), one person ("Show
// me John Smith", "Who is Maria Garcia?") and one detail of one contact
// ("What's John Smith's email?", "Where is Luis based?", "Which company
// does Kenji work for?"). They are tried after the contact change
// frames, competing with every other frame (compete.go).

// The lexicon of contact reads.
var (
	cueContactList  = lexCue("find|search_for|search|look_up|lookup|look_for|show_me|show|list|get|display|give_me|who_are [all_of|all|every] [the|my|our] contacts|contact")
	cueWhoDoWeKnow  = lexCue("who do we know|have")
	cueShowEveryone = lexCue("show|list|find|get|give [me] everyone|everybody|anyone|anybody|people")
	cueWhichContact = lexCue("which|what contacts do_we_have|are")
	cueDoWeHave     = lexCue("do we have|know [a|any] contacts|contact|someone|anyone|anybody|people")
	cueAnyContacts  = lexCue("[are_there] any contacts")
	cueHowMany      = lexCue("how many contacts [do_we_have|are_there|have_we_got]")
	cueWhoIsWhere   = lexCue("who's|who_is|who_are")
	cueWhereMarker  = lexCue("tagged|at|from|based_in|located_in")
	cueTaggedList   = lexCue("show|list|find|get|display|who_are [me] [all_of|all] [our|the|my] customers|prospects|leads|partners|clients|vips|suppliers|vendors")
	cueShowPerson   = lexCue("show|get|give|pull_up|open|display [me] [the] [contact_details|contact_info|contact_information|contact_card|contact_record] [for|of]")
	cuePersonTail   = lexCue("[contact] details|info|information|card|record|profile")
	cueWhoWorksAt   = lexCue("who works at|for")
	cueFindAny      = lexCue("find|search_for|search|look_up|lookup|look_for")
	cueInfoAsk      = lexCue("what's|what_is|what_are|give_me|get_me|show_me|tell_me|give|get|show|tell|find|look_up [the]")
	cueInfoWhere    = lexCue("where is|does")
	cueWhereTail    = lexCue("based|located|live|from|work")
	cueInfoCompany  = lexCue("which|what company does|is")
	cueCompanyTail  = lexCue("work_for|work_at|with|at|from|in")
	cueInfoTitle    = lexCue("what does|is")
	cueTitleTail    = lexCue("do|job|role|position")
)

// contactReadFrames are the contact reading frames.
var contactReadFrames = []frameDef{
	{"contact-find", fitContactFind},
	{"contact-info", fitContactInfo},
	{"contact-person", fitContactPerson},
}

func init() {
	frameWords["contact-find"] = "a contact search"
	frameWords["contact-info"] = "a detail of a contact"
	frameWords["contact-person"] = "one person"
}

// "Find all contacts from London", "Who do we know in Paris?", "How
// many contacts do we have?", "Who is at Acme?", "Show our customers",
// "Who works at Initech?".
func fitContactFind(s string, _ []span, _ calendar) (frameFit, bool) {
	filtered := func(rest string) (frameFit, bool) {
		f, err := parseFilter(strings.TrimSpace(rest))
		return frameFit{score: scoreNamed, it: contactFind{filter: f}, err: err}, true
	}
	for _, c := range []cue{cueContactList, cueWhoDoWeKnow, cueShowEveryone, cueWhichContact, cueDoWeHave, cueAnyContacts, cueHowMany} {
		if rest, ok := opens(s, c); ok {
			return filtered(rest)
		}
	}
	if rest, ok := opens(s, cueWhoIsWhere); ok {
		if _, ok := opens(strings.TrimSpace(rest), cueWhereMarker); ok {
			return filtered(rest)
		}
	}
	if rest, ok := opens(s, cueTaggedList); ok {
		f, err := parseFilter(strings.TrimSpace(rest))
		if err == nil && f.tag != "" {
			return frameFit{score: scoreNamed, err: refuse("give one tag to list contacts by")}, true
		}
		toks := tokens(s[:len(s)-len(rest)])
		f.tag = singular(toks[len(toks)-1].norm)
		return frameFit{score: scoreNamed, it: contactFind{filter: f}, err: err}, true
	}
	if rest, ok := opens(s, cueWhoWorksAt); ok && strings.TrimSpace(rest) != "" {
		return frameFit{score: scoreNamed, it: contactFind{filter: contactFilter{company: unquote(strings.TrimSpace(rest))}}}, true
	}
	if rest, ok := opens(s, cueFindAny); ok {
		switch v := unquote(strings.TrimSpace(rest)); {
		case reEmail.MatchString(v):
			return frameFit{score: scoreBare, it: contactFind{filter: contactFilter{email: v}}}, true
		case validName(v):
			return frameFit{score: scoreBare, it: contactFind{filter: contactFilter{query: v}}}, true
		}
	}
	return frameFit{}, false
}

// "What's John Smith's email?", "What is the phone of Jane?", "Where
// is Luis based?", "Which company does Kenji work for?", "What does
// Priya do?".
func fitContactInfo(s string, _ []span, _ calendar) (frameFit, bool) {
	info := func(who, field string) (frameFit, bool) {
		ref, ok := refOf(strings.TrimSpace(who))
		if !ok || field == "name" {
			return frameFit{}, false
		}
		return frameFit{score: scoreCue, it: contactInfo{who: ref, field: field}}, true
	}
	if rest, ok := opens(s, cueInfoAsk); ok {
		rest = strings.TrimSpace(rest)
		if who, field, ok := possessive(rest); ok {
			if end, ok := opens(strings.TrimSpace(field), cueField); ok && strings.TrimSpace(end) == "" {
				return info(who, fieldKey(field))
			}
		}
		if after, ok := opens(rest, cueField); ok {
			if who, ok := opens(strings.TrimSpace(after), cueOfFor); ok && strings.TrimSpace(who) != "" {
				return info(who, fieldKey(rest[:len(rest)-len(after)]))
			}
		}
	}
	for _, v := range []struct {
		open, tail cue
		field      string // "city" ("company" after "work"), "company" or "title"
	}{{cueInfoWhere, cueWhereTail, "city"}, {cueInfoCompany, cueCompanyTail, "company"}, {cueInfoTitle, cueTitleTail, "title"}} {
		rest, ok := opens(s, v.open)
		if !ok {
			continue
		}
		toks := tokens(rest)
		for i := 1; i < len(toks); i++ {
			if j, ok := v.tail.match(toks, i); !ok || j != len(toks) {
				continue
			}
			who := strings.TrimSpace(rest[:toks[i].start])
			switch {
			case v.field == "city" && toks[i].norm == "work":
				return info(who, "company")
			case v.field == "title":
				who = strings.TrimSuffix(who, "'s")
			}
			return info(who, v.field)
		}
	}
	return frameFit{}, false
}

// "Show me John Smith", "Show me John Smith's details", "Who is Maria
// Garcia?" (a contact, or failing that a member).
func fitContactPerson(s string, _ []span, _ calendar) (frameFit, bool) {
	if rest, ok := opens(s, cueShowPerson); ok {
		rest = strings.TrimSpace(rest)
		if owner, tail, ok := possessive(rest); ok && whole(strings.TrimSpace(tail), cuePersonTail) {
			rest = owner
		}
		// A person's name or email, nothing else.
		if ref, ok := refOf(rest); ok && ref.pron == "" && (ref.email != "" || startsUpper(ref.name)) {
			return frameFit{score: scoreBare, it: contactFind{filter: contactFilter{query: ref.name, email: ref.email}}}, true
		}
	}
	if rest, ok := opens(s, cueWhoIs); ok {
		if ref, ok := refOf(strings.TrimSpace(rest)); ok && ref.pron == "" {
			return frameFit{score: scoreBare, it: whoIs{filter: contactFilter{query: ref.name, email: ref.email}}}, true
		}
	}
	return frameFit{}, false
}
