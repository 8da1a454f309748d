package local

import (
	"regexp"
	"strings"
)

// The lexicon: how people actually phrase requests, mapped onto the
// canonical forms the family parsers read. Each entry is one idiom or
// synonym of one tool family ("bin" is delete, "tick off" is complete,
// "hand … over to" is assign, "fire … over to" is send). Rewrites apply
// only to the request's own words: never inside a value (after "notes:",
// "say:", "saying", "subject:" or inside quotes), so text a caller gives
// as data is stored or sent as written and never read as a request.

// rewrite is one lexicon entry: a pattern over a clause and its
// canonical replacement.
type rewrite struct {
	rx   *regexp.Regexp
	repl string
}

func rw(pattern, repl string) rewrite { return rewrite{re(pattern), repl} }

// delVerb are the verbs of a delete request.
const delVerb = `(?:delete|remove|erase|get\s+rid\s+of)`

// personRef is a short name: one to four words, no sentence punctuation.
const personRef = `([\p{L}][\p{L}\p{M}.'-]*(?:\s+[\p{L}][\p{L}\p{M}.'-]*){0,3})`

// clauseLexicon rewrites a whole clause (anchored patterns).
var clauseLexicon = []rewrite{
	// Greetings and fillers the polite-prefix list does not hold.
	rw(`^(?:(?:so|um+|uh+|er+|erm|basically|ok|okay|right(?:\s+then)?|well|hang\s+on|one\s+thing\s+first|cheers|actually|anyway)\s*[,\-–—:]?\s+)+`, ``),
	rw(`^no\s+changes(?:\s+please)?\s*[,\-–—:;]\s*`, ``),
	rw(`^i\s+(?:just\s+|only\s+)?(?:want|need)\s+(?:to\s+know\s+)?(`+personRef+`(?:'s|'))\s+`, `what's $1 `),
	rw(`^(?:chuck|bung|pop)\s+`, `put `),
	rw(`^(?:whack|chuck|bung|pop)\s+(?:a|an|the)\s+([\w-]+)\s+tag\s+on\s+(.+)$`, `tag $2 as $1`),
	rw(`^((?:complete|delete|remove|rename|move|assign|reassign|start|mark)\b.*?)\s+for\s+me$`, `$1`),
	rw(`^message\s+`, `email `),
	rw(`^(?:hiya|heya|yo|morning|afternoon|evening|hey\s+there|hi\s+there|hello\s+there)[,!.:]?\s+`, ``),
	rw(`^(?:one\s+more(?:\s+thing)?|quick\s+question(?:\s+[^:?]{0,40})?|another\s+one|also)\s*:\s*`, ``),
	rw(`^(?:before|after|while|btw|by\s+the\s+way|question|right|so|just\s+checking)\b[^:]{0,40}:\s+`, ``),
	rw(`^(new\s+(?:contact|lead|client|customer|prospect))\s+for\s+(?:you|me)\s*:`, `$1:`),
	rw(`^whats\b`, `what's`),
	rw(`^(`+personRef+`(?:'s|')\s+(?:new\s+)?[\w-]+(?:\s+[\w-]+)?\s+is\s+\S.*?),?\s+(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:update|change|fix|correct|amend)\s+(?:it|that|this|the\s+record)(?:\s+please)?$`, `$1`),
	rw(`\b(everyone|everybody|anybody|anyone|who)\s+else\b`, `$1`),
	rw(`^what\s+else\s+`+personRef+`\s+has$`, `what tasks does $1 have`),
	rw(`^(?:what|which)\s+company\s+(?:does\s+)?`+personRef+`\s+works?\s+(?:for|at)$`, `which company does $1 work for`),
	rw(`^(change|update|set|correct)\s+`+personRef+`(?:'s|')\s+(?:phone\s+|mobile\s+)?number\s+to\s+`, `$1 $2's phone to `),
	rw(`^wheres\b`, `where's`),
	rw(`^(?:can|could)\s+you\s+tell\s+me\s+(where|when|what|who|which)\b`, `$1`),
	rw(`^((?:new\s+)?(?:contact|lead|client|customer|task|to-?do))\s+(?:pls|please|plz)\s*:`, `$1:`),
	rw(`^who(?:'s|\s+is|\s+are)\s+(?:our|the|my)\s+(?:main\s+)?contacts?\s+(at|in|from)\s+`, `do we have a contact $1 `),
	rw(`^who\s+else\s+(?:do\s+)?we\s+know\s+`, `who do we know `),
	rw(`^who\s+we\s+know\s+`, `who do we know `),
	rw(`^(?:any|got\s+any|do\s+we\s+have\s+any)\s+(customers|prospects|leads|partners|clients|vips|suppliers|vendors)$`, `show our $1`),
	rw(`^what\s+(city|company|title|role|town|location)\s+(?:is|does)\s+`+personRef+`\s+(?:in|at|with|based\s+in|work\s+(?:at|for)|have)$`, `what's $2's $1`),
	rw(`^what(?:'s|\s+is)\s+`+personRef+`(?:'s|')\s+(?:phone\s+)?number$`, `what's $1's phone`),
	rw(`^`+personRef+`(?:'s|')\s+(?:phone\s+|mobile\s+)?number\s+is\s+`, `$1's phone is `),
	rw(`^what\s+does\s+`+personRef+`(?:'s|')\s+(?:record|card|entry|contact|profile)\s+say$`, `show $1`),
	rw(`^(`+delVerb+`\s+.+?),\s+(?:he|she|they)(?:'s|\s+has|\s+have)?\s+(?:left|quit|retired|moved\s+on|gone|no\s+longer).*$`, `$1`),
	rw(`^save\s+`+personRef+`,\s*([^\s,]+@[^\s,]+\.[^\s,]+.*)$`, `add a contact for $1, $2`),
	// Tasks: questions.
	rw(`^what\s+tasks\s+`+personRef+`\s+(?:has|has\s+got|is\s+working\s+on)$`, `what tasks does $1 have`),
	rw(`^what(?:'s|\s+is)\s+(?:left|open|outstanding|pending|still\s+open)\s+(?:for|on)\s+`+personRef+`$`, `show open tasks assigned to $1`),
	rw(`^what(?:'s|\s+is)\s+on\s+my\s+plate\s+(this\s+week|next\s+week|today|tomorrow)$`, `show my tasks due $1`),
	rw(`^when\s+is\s+(?:the\s+)?(?:task\s+)?(.+?)\s+(?:task\s+)?due$`, `find tasks about $1`),
	rw(`^who\s+is\s+(?:the\s+)?(?:task\s+)?(.+?)\s+(?:task\s+)?assigned\s+to$`, `find tasks about $1`),
	// Bulk: "every customer" is every contact tagged customer; "email
	// everyone at X" is every contact at X.
	rw(`\b(every|each|all(?:\s+(?:of\s+)?(?:the|our|my))?)\s+(customer|prospect|lead|partner|client|vip|supplier|vendor)s?(?:\s+contacts?)?\b`, `$1 contacts tagged $2`),
	rw(`^(e-?mail|message|write\s+to)\s+(?:everyone|everybody|all\s+(?:the\s+)?(?:people|folks))\s+(at|in|from|tagged)\s+`, `$1 all contacts $2 `),
	// Tasks: status and due date said as a fact.
	rw(`^set\s+(the\s+.+?\s+task|the\s+task\s+.+?)\s+(?:to|as)\s+(in\s+progress|done|complete|completed|open)$`, `mark $1 as $2`),
	rw(`^(?:the\s+)?(.+?)\s+task\s+is\s+(?:now\s+)?due\s+(?:on\s+|by\s+)?(.+)$`, `move the $1 task to $2`),
	// Contacts: delete.
	rw(`^(?:bin|ditch|scrap|trash|bin\s+off)\s+`, `delete `),
	rw(`^`+personRef+`\s+can\s+go(?:\s+from\s+(?:our|my|the)\s+(?:contacts|crm|address\s+book))?$`, `delete $1`),
	// Contacts: update.
	rw(`^`+personRef+`(?:'s|\s+has)\s+moved\s+to\s+`, `$1 moved to `),
	rw(`^`+personRef+`(?:'s|\s+has)\s+(?:left|quit)\s+.+?\s+and\s+(?:joined|moved\s+to|gone\s+to|started\s+at)\s+(.+)$`, `$1 now works at $2`),
	rw(`^`+personRef+`(?:'s|\s+has)\s+(?:joined|started\s+at)\s+((?-i:[\p{Lu}0-9][^\s,]*(?:\s+[\p{Lu}0-9&][^\s,]*){0,4}))$`, `$1 now works at $2`),
	rw(`^`+personRef+`\s+has\s+(?:a\s+)?new\s+(e-?mail(?:\s+address)?|phone(?:\s+number)?|number|mobile)\s*:?\s+`, `$1's new $2 is `),
	rw(`^(?:stick|put|slap|add)\s+(?:a|an|the)\s+([\w-]+)\s+tag\s+on\s+(.+)$`, `tag $2 as $1`),
	rw(`^(?:stick|put|slap)\s+(?:a|an|the)\s+tag\s+([\w-]+)\s+on\s+(.+)$`, `tag $2 as $1`),
	rw(`^(?:take|remove)\s+the\s+([\w-]+)\s+tag\s+off\s+(.+)$`, `remove the tag $1 from $2`),
	// Contacts: existence and search.
	rw(`^(?:is\s+there|have\s+we\s+got|do\s+we\s+have|got)\s+(?:a|any)\s+contacts?\s+(?:called|named)\s+(.+)$`, `find contacts named $1`),
	rw(`^(?:is\s+there|are\s+there|have\s+we\s+got)\s+(?:anyone|anybody|someone|a\s+contact|any\s+contacts)\s+(at|in|from)\s+(.+)$`, `do we have a contact $1 $2`),
	rw(`^do\s+we\s+know\s+(?:anyone|anybody|someone|people)\s+(in|at|from)\s+`, `who do we know $1 `),
	rw(`^(?:is|are)\s+`+personRef+`\s+(?:a\s+contact|a\s+member|one\s+of\s+our\s+contacts|a\s+contact\s+or\s+a\s+member|a\s+member\s+or\s+a\s+contact|in\s+our\s+contacts)$`, `who is $1`),
	// The workspace's own people.
	rw(`^(?:who\s+works\s+here|who(?:'s|\s+is|\s+are)\s+(?:on|in)\s+the\s+team\s+here|who(?:'s|\s+is|\s+are)\s+(?:in|on)\s+(?:this|the|our)\s+workspace|(?:who\s+are\s+|list\s+|show\s+(?:me\s+)?)?the\s+(?:members|people)\s+(?:of|in)\s+(?:this|the|our)\s+workspace|how\s+many\s+(?:people|members)\s+(?:work\s+here|are\s+(?:there|here|in\s+(?:this|the)\s+workspace)|(?:do\s+)?we\s+have))$`, `list members`),
	rw(`^(?:list|show(?:\s+me)?)\s+(?:everyone|everybody|all\s+(?:the\s+)?(?:people|members))\s+(?:who|that)\s+works?\s+here$`, `list members`),
	rw(`^(?:who\s+(?:are|is)|list|show(?:\s+me)?)\s+my\s+(?:teammates|team\s*mates)$`, `who's in my team`),
	rw(`^who(?:'s|\s+is|\s+are)\s+on\s+my\s+team$`, `who's in my team`),
	// Tasks.
	rw(`^what\s+(?:does|do)\s+`+personRef+`\s+(?:need|have)\s+to\s+do\s+(this\s+week|next\s+week|this\s+month|next\s+month|today|tomorrow)$`, `show open tasks assigned to $1 due by $2`),
	rw(`^what(?:'s|\s+is)\s+on\s+`+personRef+`(?:'s|')\s+plate\s+(this\s+week|next\s+week|this\s+month|next\s+month|today|tomorrow)$`, `show open tasks assigned to $1 due by $2`),
	rw(`^(?:set|create|add|make)\s+(?:a\s+|me\s+a\s+)?reminder\s+for\s+me\s+to\s+`, `remind me to `),
	rw(`^remind\s+me\s+((?:by|on|before)\s+(?:next\s+|this\s+|the\s+)?[\w/-]+(?:\s+of\s+\w+)?)\s+to\s+(.+)$`, `remind me to $2 $1`),
	rw(`^i\s+(?:need|have|want)\s+to\s+(.+?),?\s+(?:can|could)\s+you\s+(?:add|make|put|set)\s+(?:that|it|this)\s+(?:up\s+)?(?:as|on|in|to)\s+(?:a\s+task|my\s+(?:tasks|to-?do\s+list|to-?dos))$`, `remind me to $1`),
	rw(`^(?:to-?do|task|reminder)\s+for\s+(me|\S+)\s*[:\-–]\s*(.+)$`, `create a task for $1: $2`),
	rw(`^(?:hand|give)\s+(?:a\s+)?(?:new\s+)?task\s+to\s+(me|\S+)\s*[:\-–]\s*(.+)$`, `create a task for $1: $2`),
	rw(`^(?:hand|pass|give)\s+(?:the\s+)?(.+?)\s+(?:over|across|on)\s+to\s+(.+)$`, `reassign the $1 to $2`),
	rw(`^(?:give|pass)\s+(?:the\s+task\s+)?(.+?)\s+to\s+(me|[\p{L}]+(?:\s+[\p{L}]+)?)$`, `reassign $1 to $2`),
	rw(`^tick\s+(the\s+)?(.+?)\s+off$`, `complete $1$2`),
	rw(`^(?:tick|check)\s+off\s+`, `complete `),
	rw(`^(?:can|could|shall)\s+we\s+(move|push|postpone|reschedule|delay|rename|assign|reassign|delete|mark|change|update|add|create)\b`, `$1`),
	rw(`^start\s+working\s+on\s+(?:the\s+task\s+)?`, `start the task `),
	rw(`^what\s+has\s+`+personRef+`\s+got\s+on(?:\s+(?:at\s+the\s+moment|right\s+now|now|today))?$`, `what is $1 working on`),
	rw(`^what(?:'s|\s+is)\s+`+personRef+`\s+(?:doing|busy\s+with|up\s+to)(?:\s+(?:at\s+the\s+moment|right\s+now|now|today|these\s+days))?$`, `what is $1 working on`),
	rw(`^(?:is\s+there|do\s+we\s+have|have\s+we\s+got|got)\s+(?:a|any)\s+(?:tasks?|to-?dos?)\s+(?:about|for|on|called|named|to)\s+(.+)$`, `find tasks about $1`),
	// Email.
	rw(`^(?:did|have)\s+we\s+ever\s+`, `did we `),
	rw(`^(?:is\s+there\s+)?anything\s+(?:stuck|waiting|sitting|left|still)\s+(?:in\s+)?(?:the\s+)?outbox$`, `what's in the outbox`),
	rw(`^(?:shoot|fire|send|drop|ping|pop)\s+(?:an?\s+)?(?:quick\s+)?(?:e-?mail|note|line|message)\s+(?:over\s+|off\s+)?to\s+`, `email `),
	rw(`^(?:fire|shoot|ping|pop)\s+(?:the\s+)?(.+?)\s+(?:over|across|off)\s+to\s+(.+)$`, `send the $1 to $2`),
	rw(`^(?:drop|shoot|ping|send)\s+`+personRef+`\s+an?\s+(?:quick\s+)?(?:e-?mail|note|line)\s+(?:to\s+say|saying)\s+`, `email $1 saying `),
	// Files.
	rw(`^(?:is\s+there|do\s+we\s+have|have\s+we\s+got)\s+(?:a|an|any)\s+(.+?)\s+folder$`, `find the folder $1`),
	rw(`^(?:is\s+there|do\s+we\s+have|have\s+we\s+got)\s+(?:a|an|any)\s+folder\s+(?:called|named)\s+(.+)$`, `find the folder $1`),
	rw(`^(?:have|do)\s+we\s+(?:got|have)\s+anything\s+(?:on|about)\s+(?:the\s+)?(.+)$`, `find the file $1`),
	// Generic: "what X have we got" is "what X do we have".
	rw(`^(what|which)\s+([\w-]+)\s+have\s+we\s+got(?:\s+installed)?$`, `$1 $2 do we have`),
	rw(`^(?:is|are)\s+(?:the\s+)?([\w-]+)\s+extensions?\s+installed$`, `what extensions are installed`),
	rw(`^(?:hi|hello|hey)?,?\s*what\s+can\s+you\s+(?:help\s+(?:me\s+)?with|do\s+for\s+me)$`, `what can you do`),
	// A filler after an idiom's rewrite: "tick off X for me".
	rw(`^((?:complete|delete|remove|rename|move|assign|reassign|start|mark)\b.*?)\s+for\s+me$`, `$1`),
}

// inlineLexicon rewrites inside a message, before it is split into
// clauses: email prose ("… and let her know that …"), the details of a
// new contact given in a second sentence about "she"/"he", and labelled
// email parts. when, if set, must match the message for the rule to
// apply; unless, if set, must not.
var inlineLexicon = []struct {
	rewrite
	when, unless *regexp.Regexp
}{
	{rw(`\s+and\s+(?:let\s+(?:him|her|them)\s+know|tell\s+(?:him|her|them))(?:\s+that)?\s+`, ` saying `), reEmailOpen, nil},
	{rw(`(?:,\s*|\s+to\s+|\s+and\s+)(?:let\s+(?:him|her|them)\s+know|tell\s+(?:him|her|them))(?:\s+that)?\s+`, ` saying `), reEmailOpen, nil},
	{rw(`\s+and\s+say\s+(?:that\s+)?`, ` saying `), reEmailOpen, nil},
	{rw(`\s+and\s+ask\s+(?:him|her|them)\s+to\s+`, ` saying could you `), reEmailOpen, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he|they)\s+(?:lives?|is\s+based|is\s+located)\s+in\s+`, `, based in `), reContactVerb, nil},
	{rw(`(?:,\s*|\s+)(?:with\s+)?(?:the\s+|a\s+)?subject\s*:\s*([^,]+?),\s*(?:say|saying|body|message|text)\s*:\s*`, ` with subject $1 saying `), reEmailOpen, nil},
	{rw(`(?:,\s*|\s+)(?:say|body|message|text)\s*:\s*`, ` saying `), reEmailOpen, nil},
	{rw(`\s+(?:an?\s+)?(?:quick\s+)?(e-?mail|message)\s+to\s+say\s+`, ` an $1 saying `), reEmailOpen, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he|they)(?:'s|\s+is|\s+are)?\s+(?:works?|working)\s+(?:at|for)\s+`, `, works at `), reContactVerb, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:her|his|their)\s+(?:phone\s+number|number|phone|mobile|cell)\s+is\s+`, `, phone `), reContactVerb, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:her|his|their)\s+e-?mail(?:\s+address)?\s+is\s+`, `, email `), reContactVerb, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he|they)(?:'s|\s+is|\s+are)\s+based\s+in\s+`, `, based in `), reContactVerb, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he|they)(?:'s|\s+is|\s+are)\s+(?:at|with|from)\s+`, `, at `), reContactVerb, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he|they)(?:'s|\s+is|\s+are)\s+(?:a|an)\s+(prospect|customer|partner|lead|vip|client|supplier)\b`, `, tagged $1`), reContactVerb, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he|they)(?:'s|\s+is|\s+are)\s+(?:the|their|our)\s+`, `, `), reContactVerb, nil},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he)(?:'s|\s+is)\s+(?:a|an)\s+`, `, `), reContactVerb, reFreeTextKind},
	{rw(`(?:[.,;?!]\s+|\s+and\s+)(?:she|he)(?:'s|\s+is)\s+`, `, `), reContactVerb, reFreeTextKind},
	{rw(`\s+[-–]\s+due\s+`, `, due `), nil, nil},
	{rw(`\s+[-–]\s+((?:e-?mail|phone|mobile|tel|tagged|based|works|title|company|city|notes?)\b)`, `, $1`), reContactVerb, nil},
	{rw(`\s+[-–]\s+(?:he|she|they)(?:'s|\s+is|\s+are)\s+(?:a|an)\s+(prospect|customer|partner|lead|vip|client|supplier)\b`, `, tagged $1`), reContactVerb, nil},
}

var (
	// reFreeTextKind is a message with a task or an email in it, whose
	// free text the broadest contact rules must not touch: "Create a
	// task to call Jane, she's expecting it" keeps its title.
	reFreeTextKind = re(`\b(?:tasks?|to-?dos?|reminders?|remind|e-?mails?|send|saying|message)\b`)
	reEmailOpen    = re(`^(?:(?:please|pls|can\s+you|could\s+you)\s+)*(?:e-?mail|mail|write\s+to|message|send|shoot|drop|fire|forward)\b`)
	reContactVerb  = re(`\b(?:add|create|save|new|register)\b`)
)

// reDataStart finds where the caller's own values begin: a label whose
// value runs to the end of the message ("notes:") or an opening quote.
// Text from there on is data and no lexicon rule touches it.
var reDataStart = re(`\bnotes?\s*:|(?:^|\s)["']\S`)

// reBodyStart is where an email body begins ("saying …"): clause rules
// stop there too.
var reBodyStart = re(`\bsaying\s|\bsay\s*:`)

// applyInline applies the inline lexicon to the request words of a
// message.
func applyInline(s string) string {
	head, tail := splitData(s, reDataStart)
	for _, r := range inlineLexicon {
		if r.when != nil && !r.when.MatchString(head) || r.unless != nil && r.unless.MatchString(head) {
			continue
		}
		// A rule rewrites only up to where an email body begins, except
		// the rules that introduce that body.
		head = r.rx.ReplaceAllString(head, r.repl)
	}
	return strings.TrimSpace(head + tail)
}

// applyClauseLexicon applies the clause lexicon to one clause.
func applyClauseLexicon(s string) string {
	head, tail := splitData(s, reDataStart)
	h2, t2 := splitData(head, reBodyStart)
	for _, r := range clauseLexicon {
		h2 = r.rx.ReplaceAllString(h2, r.repl)
	}
	return strings.TrimSpace(h2 + t2 + tail)
}

func splitData(s string, rx *regexp.Regexp) (head, tail string) {
	if loc := rx.FindStringIndex(s); loc != nil {
		return s[:loc[0]], s[loc[0]:]
	}
	return s, ""
}
