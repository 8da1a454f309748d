package local

import "strings"

// A name in a first sentence that is not itself a request ("Dan Reyes
// rang.", "Emma Schultz got promoted.", "Look at Priya Patel.") and a
// second sentence that starts with "he", "she", "his" or "her": the
// second sentence is about that person, so the pronoun is replaced by
// the name and the first sentence dropped. "I just met X. She's …" is a
// new contact: it reads "Add X. She's …", which the inline lexicon then
// reads as details.

var (
	reLeadMention = re(`^(?:(?:look\s+at|look\s+up|find|check|open|about|re)\s+)?` + personRefShortest + `(?:\s+(?:rang|called|phoned|emailed|wrote|messaged|got\s+promoted|got\s+in\s+touch|was\s+in\s+touch|has\s+news))?\s*[.!:;]\s+(he|she|they|his|her|their)\b(.*)$`)
	reLeadAdd     = re(`^i\s+(?:just\s+|have\s+just\s+|recently\s+)?(?:met|spoke\s+(?:to|with)|talked\s+to|had\s+a\s+call\s+with)\s+` + personRefShortest + `(?:\s+(?:today|yesterday|this\s+morning|earlier|at\s+[^,.!?]{1,40}))?\s*[,.!]\s+((?:he|she|they)\b[^.!?]*)[.!?]\s+(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?(?:add|save)\s+(?:him|her|them)(?:\s+(?:as\s+a\s+(?:new\s+)?contact|to\s+(?:(?:the|our|my)\s+)?contacts))?(?:\s+please)?$`)
	reLeadMet     = re(`^i\s+(?:just\s+|have\s+just\s+|recently\s+)?met\s+` + personRef + `\s*[.!]\s+((?:he|she|they)\b.*)$`)
)

// personRefShortest is personRef that takes as few words as it can, so
// "Dan Reyes rang." is Dan Reyes.
const personRefShortest = `([\p{L}][\p{L}\p{M}.'-]*(?:\s+[\p{L}][\p{L}\p{M}.'-]*){0,3}?)`

// resolveLeadPronoun rewrites the two sentences as one about the name.
func resolveLeadPronoun(s string) string {
	if m := reLeadAdd.FindStringSubmatch(s); m != nil && validName(m[1]) {
		// "I met X at the fair, he's …. Can you add him?"
		return "Add " + m[1] + ". " + m[2]
	}
	if m := reLeadMet.FindStringSubmatch(s); m != nil && validName(m[1]) {
		return "Add " + m[1] + ". " + m[2]
	}
	m := reLeadMention.FindStringSubmatch(s)
	if m == nil || !validName(m[1]) || reVerbStart.MatchString(m[1]) || strings.ContainsAny(m[3], ".!?;") && !strings.HasSuffix(strings.TrimRight(m[3], ".!? "), "") {
		return s
	}
	name, pron, rest := m[1], strings.ToLower(m[2]), m[3]
	switch pron {
	case "his", "her", "their":
		return name + "'s" + rest
	}
	return name + rest
}
