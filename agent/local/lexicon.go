package local

import (
	"regexp"
	"strings"
)

// The lexicon: how people actually phrase requests, mapped onto the
// canonical forms the frames read. Each entry is one idiom or
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

// lexEntry is one clause lexicon entry: matched word by word (words),
// or, where a word matcher cannot read it (a preamble up to a colon, a
// company told by its capitals, an email address, a plural to make
// singular), a regular expression (rx).
type lexEntry struct {
	words *wordRule
	rx    *rewrite
}

// w is a lexicon entry matched word by word (lexwords.go).
func w(spec, repl string) lexEntry {
	r := lexWords(spec, repl)
	return lexEntry{words: &r}
}

// rx is a lexicon entry matched with a regular expression.
func rx(pattern, repl string) lexEntry {
	r := rw(pattern, repl)
	return lexEntry{rx: &r}
}

// apply rewrites s, whose words are toks; it returns the words again
// when s changed.
func (e lexEntry) apply(s string, toks []lexTok) (string, []lexTok) {
	if e.words != nil {
		out, changed := e.words.apply(s, toks)
		if changed {
			return out, lexTokens(out)
		}
		return s, toks
	}
	if out := e.rx.rx.ReplaceAllString(s, e.rx.repl); out != s {
		return out, lexTokens(out)
	}
	return s, toks
}

// Word classes shared by the entries below.
const (
	lxTagNouns  = "customers|prospects|leads|partners|clients|vips|suppliers|vendors"
	lxWhen      = "this_week|next_week|this_month|next_month|today|tomorrow"
	lxForMeVerb = "complete|delete|remove|rename|move|assign|reassign|start|mark"
)

// clauseLexicon rewrites a whole clause, entry by entry in this order.
var clauseLexicon = []lexEntry{
	// Greetings and fillers the polite-prefix list does not hold.
	w("+ so|um|umm|ummm|uh|uhh|er|err|erm|basically|okay|ok|right_then|right|well|hang_on|one_thing_first|cheers|actually|anyway [-|–|—]", ""),
	w("no changes [please] {sep}", ""),
	w("i [just|only] want|need [to_know] {p's}", "what's $1's"),
	w("chuck|bung|pop", "put"),
	w("whack|chuck|bung|pop a|an|the {w} tag on {*} $", "tag $2 as $1"),
	w("("+lxForMeVerb+") {*} for me $", "$1 $2"),
	w("message", "email"),
	w("hiya|heya|yo|morning|afternoon|evening|hey_there|hi_there|hello_there", ""),
	rx(`^(?:one\s+more(?:\s+thing)?|quick\s+question(?:\s+[^:?]{0,40})?|another\s+one|also)\s*:\s*`, ``),
	rx(`^(?:(?:before|after|while|btw|by\s+the\s+way|question|right|so|just\s+checking|webhook|cron|zapier|automation|script|bot|alert|daily|weekly|nightly|monthly|digest)\b[^:]{0,40}:|\[[^\]]{1,30}\])\s+`, ``),
	w("(new) (contact|lead|client|customer|prospect) for you|me {sep}", "$1 $2:"),
	w("whats", "what's"),
	rx(`^(`+personRef+`(?:'s|')\s+(?:new\s+)?[\w-]+(?:\s+[\w-]+)?\s+is\s+\S.*?),?\s+(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:update|change|fix|correct|amend)\s+(?:it|that|this|the\s+record)(?:\s+please)?$`, `$1`),
	w("~ (everyone|everybody|anybody|anyone|who) else", "$1"),
	w("what else {p} has $", "what tasks does $1 have"),
	w("what|which company [does] {p} works|work for|at $", "which company does $1 work for"),
	w("(change|update|set|correct) {p's} [phone|mobile] number to", "$1 $2's phone to"),
	w("wheres", "where's"),
	w("can|could you tell me (where|when|what|who|which)", "$1"),
	w("(new_contact|new_lead|new_client|new_customer|new_task|new_to-do|new_todo|contact|lead|client|customer|task|to-do|todo) pls|please|plz {sep}", "$1:"),
	w("who's|who_is|who_are our|the|my [main] contact|contacts (at|in|from)", "do we have a contact $1"),
	w("who else [do] we know", "who do we know"),
	w("who we know", "who do we know"),
	w("any|got_any|do_we_have_any ("+lxTagNouns+") $", "show our $1"),
	w("what (city|company|title|role|town|location) is|does {p} in|at|with|based_in|work_at|work_for|have $", "what's $2's $1"),
	w("what's|what_is {p's} [phone] number $", "what's $1's phone"),
	w("{p's} [new] [phone|mobile] number is", "$1's phone is"),
	w("what does {p's} record|card|entry|contact|profile say $", "show $1"),
	rx(`^(`+delVerb+`\s+.+?),\s+(?:he|she|they)(?:'s|\s+has|\s+have)?\s+(?:left|quit|retired|moved\s+on|gone|no\s+longer).*$`, `$1`),
	rx(`^save\s+`+personRef+`,\s*([^\s,]+@[^\s,]+\.[^\s,]+.*)$`, `add a contact for $1, $2`),
	// Said as news, or in a question's word order (session 8).
	w("where's", "where is"),
	w("how many ("+lxTagNouns+") do_we_have|have_we_got|are_there|have_we $", "show our $1"),
	w("how many (teams|departments) are_there|do_we_have|have_we_got|have_we|exist $", "list $1"),
	w("{p's} {w} should now be", "$1's $2 should be"),
	w("{p} got|was|has_been|'s_been promoted to", "$1 is now"),
	w("~ {comma} [please|so|can_you|could_you] update|change|fix his|her|their title|role|job_title|record|details|entry [please] $", ""),
	w("{p} is no_longer|not a|an ("+lxTagOne+") [anymore|any_more] $", "remove the tag $2 from $1"),
	w("add|put {p} to|on|in the|our|my ("+lxTagOne+") list $", "tag $1 as $2"),
	w("remove|take|drop {p} from|off the|our|my ("+lxTagOne+") list $", "remove the tag $2 from $1"),
	w("tag {w} ("+lxTagOne+") $", "tag $1 as $2"),
	w("put|mark|set {p} down as a|an ("+lxTagOne+") $", "tag $1 as $2"),
	w("update|change|edit {p} {comma} (title|city|company|email|phone|mobile|tags)", "update the contact $1: $2"),
	w("{p} now lives|is_based|is_living|lives in", "$1 moved to"),
	w("{p} isn't|is_not|is_no_longer in|based_in {*} [anymore|any_more] {sep} he's|she's|he_is|she_is|they're|they_are [now] [based] in {*} $", "$1 moved to $3"),
	w("add|save {p} to [my|our|the] contacts|crm|address_book with", "add a contact for $1 with"),
	w("put {p} into|in|onto|on [my|our|the] contacts|crm|address_book", "add $1 to my contacts"),
	w("{p} changed|switched|has_changed|has_switched jobs|companies|employer {sep} he's|she's|he_is|she_is|they're|they_are [now] at|with {*} [now] $", "$1 now works at $2"),
	w("list|show|find|get [me] [the|our|all] [of_our|the] ("+lxTagOne+") contacts|leads|people (in|at|from|based_in) {*} $", "list contacts $2 $3 tagged $1"),
	w("add|put [this|these|that] to|on|in my|the|our todo_list|to-do_list|task_list|tasks|todos|to-dos|list {sep}", "todo:"),
	w("bump|slip|slide|punt", "push"),
	w("add|save|create my|a|our [new] colleague's|friend's|client's|customer's|partner's contact|details {sep}", "new contact:"),
	w("save|add|store|record|note this|the|a [new] number|phone|phone_number|mobile for {p} {sep}", "set $1's phone to"),
	w("save|add|store|record|note this|the|a [new] email|e-mail|email_address|address for {p} {sep}", "set $1's email to"),
	w("{p's} got|has_got a new number|phone|phone_number|mobile {sep}", "set $1's phone to"),
	w("{p's} got|has_got a new email|e-mail|email_address {sep}", "set $1's email to"),
	w("remove|drop|delete|take_off|take_away {p's} {w} tag $", "remove the tag $2 from $1"),
	w("i need|want [a] reminder to", "remind me to"),
	w("{n2} finished|completed|has_finished|has_completed|is_done_with|closed [the_task] {*} $", "complete $2"),
	w("change|set|move|update|push [the] {*} task's due_date|deadline|date to", "move the $1 task to"),
	w("what's|what_is|anything|is_anything overdue for|of {p} $", "show overdue tasks assigned to $1"),
	w("[the] {*} task should|can|must be deleted|removed|cancelled|canceled $", "delete the $1 task"),
	w("tell|inform {p} by email|e-mail [that] {*} $", "email $1 saying $2"),
	w("let {p} know by email|e-mail [that] {*} $", "email $1 saying $2"),
	w("how many people|members|employees|folks are in|on [the] {*} $", "who is in $1"),
	w("check|see whether|if {p's} {w} is [still] {*} $", "what's $1's $2"),
	w("remind|tell me what {p's} {w} is $", "what's $1's $2"),
	w("if|whether {p} is still {*} $", "is $1 still $2"),
	w("is|does {p} still work_at|work_for|at|with|in|based_in|live_in {*} $", "show $1"),
	w("where did|do|have we|i|you put|save|saved|store|stored|file|filed|keep [the] {*} $", "where is the $1"),
	w("what does|do [the] {*} say|mention about {*} $", "does the $1 mention $2"),
	w("who manages|supervises {p} $", "who is $1's manager"),
	w("make|put {p2} the owner|assignee|owner_of|in_charge of {*} $", "reassign $2 to $1"),
	w("i've|i_have|we've|we_have|i|we started|begun [on|with|working_on] {*} $", "start $1"),
	w("don't|do_not forget to", "remind me to"),
	w("~ first_thing [on|in_the] (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow)", "$1"),
	w("(tag|delete|remove|move|mark|label) everyone|everybody|all_people|all_the_people (at|in|from|tagged|based_in)", "$1 every contact $2"),
	w("remove|take|drop the {w} tag from|off everyone|everybody|every_contact|all_contacts|all_our_contacts {*} $", "untag every contact $2 as $1"),
	w("remove|take|drop the tag {w} from|off everyone|everybody|every_contact|all_contacts|all_our_contacts {*} $", "untag every contact $2 as $1"),
	w("new (contact|lead|client|customer|prospect) from|via [the|our|a] [web|website|signup|sign-up|contact] form|webhook|zapier|signup|sign-up|import [name]", "new $1:"),
	// Tasks: questions.
	w("is [the] [task] {*} [task] done|finished|complete|completed|closed|open|in_progress|started [yet] $", "find tasks about $1"),
	w("what's|what_is the status|state of [the] [task] {*} $", "find tasks about $1"),
	w("did|has {p2} finish|finished|complete|completed|do|done|close|closed [the_task] {*} [yet] $", "find tasks about $2"),
	w("what tasks {p} has|has_got|is_working_on $", "what tasks does $1 have"),
	w("what's|what_is left|open|outstanding|pending|still_open for|on {p} $", "show open tasks assigned to $1"),
	w("what's|what_is on my plate (this_week|next_week|today|tomorrow) $", "show my tasks due $1"),
	w("when is [the] [task] {*} [task] due $", "find tasks about $1"),
	w("who is [the] [task] {*} [task] assigned to $", "find tasks about $1"),
	// Bulk: "every customer" is every contact tagged customer; "email
	// everyone at X" is every contact at X.
	rx(`\b(every|each|all(?:\s+(?:of\s+)?(?:the|our|my))?)\s+(customer|prospect|lead|partner|client|vip|supplier|vendor)s?(?:\s+contacts?)?\b`, `$1 contacts tagged $2`),
	w("(e-mail|email|message|write_to) everyone|everybody|all_people|all_the_people|all_folks|all_the_folks (at|in|from|tagged)", "$1 all contacts $2"),
	// Tasks: status and due date said as a fact.
	w("set (the_task) {*} to|as (in_progress|done|complete|completed|open) $", "mark $1 $2 as $3"),
	w("set (the) {*} (task) to|as (in_progress|done|complete|completed|open) $", "mark $1 $2 $3 as $4"),
	w("[the] {*} task is [now] due [on|by] {*} $", "move the $1 task to $2"),
	// Contacts: delete.
	w("bin_off|bin|ditch|scrap|trash", "delete"),
	w("{p} can go $", "delete $1"),
	w("{p} can go from our|my|the contacts|crm|address_book $", "delete $1"),
	// Contacts: update.
	w("{p's} moved to", "$1 moved to"),
	w("{p} has moved to", "$1 moved to"),
	w("{p's} left|quit {*} and joined|moved_to|gone_to|started_at {*} $", "$1 now works at $3"),
	w("{p} has left|quit {*} and joined|moved_to|gone_to|started_at {*} $", "$1 now works at $3"),
	rx(`^`+personRef+`(?:'s|\s+has)\s+(?:joined|started\s+at)\s+((?-i:[\p{Lu}0-9][^\s,]*(?:\s+[\p{Lu}0-9&][^\s,]*){0,4}))$`, `$1 now works at $2`),
	w("{p} has [a] new (email_address|e-mail_address|email|e-mail|phone_number|phone|number|mobile)", "$1's new $2 is"),
	w("stick|put|slap|add a|an|the {w} tag on {*} $", "tag $2 as $1"),
	w("stick|put|slap a|an|the tag {w} on {*} $", "tag $2 as $1"),
	w("take|remove the {w} tag off {*} $", "remove the tag $1 from $2"),
	// Contacts: existence and search.
	w("is_there|have_we_got|do_we_have|got a|any contact|contacts called|named {*} $", "find contacts named $1"),
	w("is_there|are_there|have_we_got anyone|anybody|someone|a_contact|any_contacts (at|in|from) {*} $", "do we have a contact $1 $2"),
	w("do we know anyone|anybody|someone|people (in|at|from)", "who do we know $1"),
	w("is|are {p} a_contact|a_member|one_of_our_contacts|a_contact_or_a_member|a_member_or_a_contact|in_our_contacts $", "who is $1"),
	// The workspace's own people.
	w("who works here $", "list members"),
	w("who's|who_is|who_are on|in the team here $", "list members"),
	w("who's|who_is|who_are in|on this|the|our workspace $", "list members"),
	w("[who_are|list|show_me|show] the members|people of|in this|the|our workspace $", "list members"),
	w("how many people|members work_here|are_there|are_here|are_in_this_workspace|are_in_the_workspace|we_have|do_we_have $", "list members"),
	w("list|show_me|show everyone|everybody|all_the_people|all_people|all_the_members|all_members who|that work|works here $", "list members"),
	w("who_are|who_is|list|show_me|show my teammates|team_mates $", "who's in my team"),
	w("who's|who_is|who_are on my team $", "who's in my team"),
	// Tasks.
	w("what does|do {p} need|have to do ("+lxWhen+") $", "show open tasks assigned to $1 due by $2"),
	w("what's|what_is on {p's} plate ("+lxWhen+") $", "show open tasks assigned to $1 due by $2"),
	w("set|create|add|make [a|me_a] reminder for me to", "remind me to"),
	rx(`^remind\s+me\s+((?:by|on|before)\s+(?:next\s+|this\s+|the\s+)?[\w/-]+(?:\s+of\s+\w+)?)\s+to\s+(.+)$`, `remind me to $2 $1`),
	w("i need|have|want to {*} [please] [can_you|could_you] add|make|put|set that|it|this [up] [as|on|in|to] a_task|my_tasks|my_to-do_list|my_todo_list|my_to-dos|my_todos [please] $", "remind me to $1"),
	w("to-do|todo|task|reminder for {w} {sep} {*} $", "create a task for $1: $2"),
	w("hand|give [a] [new] task to {w} {sep} {*} $", "create a task for $1: $2"),
	w("hand|pass|give [the] {*} over|across|on to {*} $", "reassign the $1 to $2"),
	w("give|pass [the_task] {*} to {p2} $", "reassign $1 to $2"),
	w("tick ([the]) {*} off $", "complete $1 $2"),
	w("tick|check off", "complete"),
	w("can|could|shall we (move|push|postpone|reschedule|delay|rename|assign|reassign|delete|mark|change|update|add|create)", "$1"),
	w("start working on [the_task]", "start the task"),
	w("what has {p} got on [at_the_moment|right_now|now|today] $", "what is $1 working on"),
	w("what's|what_is {p} doing|busy_with|up_to [at_the_moment|right_now|now|today|these_days] $", "what is $1 working on"),
	w("is_there|do_we_have|have_we_got|got a|any task|tasks|to-do|to-dos|todo|todos about|for|on|called|named|to {*} $", "find tasks about $1"),
	// Email.
	w("did|have we ever", "did we"),
	w("[is_there] anything stuck|waiting|sitting|left|still [in] [the] outbox $", "what's in the outbox"),
	w("shoot|fire|send|drop|ping|pop [a|an] [quick] e-mail|email|note|line|message [over|off] to", "email"),
	w("fire|shoot|ping|pop|send [the] {*} over|across|off to {*} $", "send the $1 to $2"),
	w("drop|shoot|ping|send {p} a|an [quick] e-mail|email|note|line to_say|saying", "email $1 saying"),
	// Files.
	w("is_there|do_we_have|have_we_got a|an|any {*} folder $", "find the folder $1"),
	w("is_there|do_we_have|have_we_got a|an|any folder called|named {*} $", "find the folder $1"),
	w("have|do we got|have anything on|about [the] {*} $", "find the file $1"),
	// Generic: "what X have we got" is "what X do we have".
	w("(what|which) {w} have we got [installed] $", "$1 $2 do we have"),
	w("is|are [the] {w} extension|extensions installed $", "what extensions are installed"),
	w("[hi|hello|hey] what can you help_me_with|help_with|do_for_me $", "what can you do"),
	// A filler after an idiom's rewrite: "tick off X for me".
	w("("+lxForMeVerb+") {*} for me $", "$1 $2"),
}

// inlineLexicon rewrites inside a message, before it is split into
// clauses: email prose ("… and let her know that …"), the details of a
// new contact given in a second sentence about "she"/"he", and labelled
// email parts. when, if set, must hold for the message for the entry to
// apply; unless, if set, must not.
var inlineLexicon = []struct {
	lexEntry
	when, unless func(string) bool
}{
	{w("~ {mid} and|to let_him_know|let_her_know|let_them_know|tell_him|tell_her|tell_them [that] …", "saying"), emailOpens, nil},
	{w("~ {comma} let_him_know|let_her_know|let_them_know|tell_him|tell_her|tell_them [that] …", " saying"), emailOpens, nil},
	{w("~ {mid} and say [that] …", "saying"), emailOpens, nil},
	{w("~ {mid} and ask him|her|them to …", "saying could you"), emailOpens, nil},
	{w("~ {brk} she|he|they lives|live|is_based|is_located in …", ", based in"), contactVerb, nil},
	{rx(`(?:,\s*|\s+)(?:with\s+)?(?:the\s+|a\s+)?subject\s*:\s*([^,]+?),\s*(?:say|saying|body|message|text)\s*:\s*`, ` with subject $1 saying `), emailOpens, nil},
	{rx(`(?:,\s*|\s+)(?:say|body|message|text)\s*:\s*`, ` saying `), emailOpens, nil},
	{w("~ {mid} [a|an] [quick] (email|e-mail|message) to say …", "an $1 saying"), emailOpens, nil},
	{w("~ {brk} "+lxHeShe+" [is|are] works|work|working at|for …", ", works at"), contactVerb, nil},
	{w("~ {brk} her|his|their phone_number|number|phone|mobile|cell is …", ", phone"), contactVerb, nil},
	{w("~ {brk} her|his|their email|e-mail|email_address|e-mail_address is …", ", email"), contactVerb, nil},
	{w("~ {brk} "+lxHeIs+" based in …", ", based in"), contactVerb, nil},
	{w("~ {brk} "+lxHeIs+" at|with|from …", ", at"), contactVerb, nil},
	{w("~ {brk} "+lxHeIs+" a|an ("+lxTagOne+")", ", tagged $1"), contactVerb, nil},
	{w("~ {brk} "+lxHeIs+" the|their|our …", ","), contactVerb, nil},
	{w("~ {brk} she's|he's|she_is|he_is a|an …", ","), contactVerb, freeTextKind},
	{w("~ {brk} she's|he's|she_is|he_is …", ","), contactVerb, freeTextKind},
	{w("(delete|remove|bin|ditch) {p} and {p} $", "$1 $2 and $1 $3"), twoNames, nil},
	{w("(tag) {p} and {p} as {w} $", "$1 $2 as $4 and $1 $3 as $4"), twoNames, nil},
	{w("~ {mid} -|– due …", ", due"), nil, nil},
	{w("~ {mid} due|deadline|due_date {sep} …", "due"), taskMessage, nil},
	{w("~ {mid} assignee|owner|assigned_to|assign_to {sep} …", "assigned to"), taskMessage, nil},
	{w("~ {mid} -|– (email|e-mail|phone|mobile|tel|tagged|based|works|title|company|city|note|notes)", ", $1"), contactVerb, nil},
	{w("~ {mid} -|– "+lxHeIs+" a|an ("+lxTagOne+")", ", tagged $1"), contactVerb, nil},
}

// More word classes of the inline entries.
const (
	lxHeShe  = "she|he|they|she's|he's"
	lxHeIs   = "she's|he's|she_is|he_is|they_are|they_is|she_are|he_are"
	lxTagOne = "prospect|customer|partner|lead|vip|client|supplier"
)

var (
	// freeTextWords mark a message with a task or an email in it, whose
	// free text the broadest contact rules must not touch: "Create a
	// task to call Jane, she's expecting it" keeps its title.
	freeTextWords = wordSet(`task tasks todo todos to-do to-dos reminder reminders remind email emails e-mail e-mails send saying message`)
	contactWords  = wordSet(`add create save new register put pop`)
	taskWords     = wordSet(`task tasks todo to-do reminder remind`)
	politeLead    = lexCue("please|pls|can_you|could_you")
	emailVerbs    = lexCue("email|e-mail|mail|write_to|write|compose|draft|message|send|shoot|drop|fire|forward")
)

func freeTextKind(s string) bool { return hasWord(s, freeTextWords) }

// twoNames reports whether s is "delete A and B" with two names: not
// "delete the contact A and list departments", not "remove Priya and
// Dan from Sales".
func twoNames(s string) bool {
	f := strings.Fields(s)
	if len(f) < 4 {
		return false
	}
	a, b, ok := strings.Cut(strings.Join(f[1:], " "), " and ")
	for _, n := range []string{a, b} {
		w := strings.Fields(n)
		if !ok || len(w) > 4 || !validName(n) || actionVerbSet[strings.ToLower(w[0])] {
			return false
		}
	}
	return true
}

var actionVerbSet = wordSet(strings.ReplaceAll(actionVerbs, "|", " "))

// taskMessage reports whether s names a task or a reminder.
func taskMessage(s string) bool { return hasWord(s, taskWords) }
func contactVerb(s string) bool { return hasWord(s, contactWords) }

// emailOpens reports whether s asks for an email: its first word, after
// any politeness, is an email verb.
func emailOpens(s string) bool { return startsWith(s, politeLead, emailVerbs) }

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
	toks := lexTokens(head)
	for _, r := range inlineLexicon {
		if r.when != nil && !r.when(head) || r.unless != nil && r.unless(head) {
			continue
		}
		head, toks = r.apply(head, toks)
	}
	return strings.TrimSpace(head + tail)
}

// applyClauseLexicon applies the clause lexicon to one clause.
func applyClauseLexicon(s string) string {
	head, tail := splitData(s, reDataStart)
	h2, t2 := splitData(head, reBodyStart)
	toks := lexTokens(h2)
	for _, e := range clauseLexicon {
		h2, toks = e.apply(h2, toks)
	}
	return strings.TrimSpace(h2 + t2 + tail)
}

func splitData(s string, rx *regexp.Regexp) (head, tail string) {
	if loc := rx.FindStringIndex(s); loc != nil {
		return s[:loc[0]], s[loc[0]:]
	}
	return s, ""
}
