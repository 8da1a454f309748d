package local

// corpusDevLate grows the development set once more (written before the
// parser changes it is used to tune, like corpusDevMore): kinds of
// message the test set showed still refused, in other words and with
// other records, so the parser is tuned here and never on the test set.
var corpusDevLate = []corpusCase{
	// Phones in national formats with brackets, in a new contact.
	{D, "create a contact for Ben Frost, phone (415) 555-0199, based in Austin", "contacts_create", "Contact created: Ben Frost", `"phone":"(415) 555-0199"|"city":"Austin"`},
	{D, "new client: Zoe Park, Globex, +1 (646) 555-0123", "contacts_create", "Contact created: Zoe Park", `"company":"Globex"|"phone":"+1 (646) 555-0123"`},
	{D, "Add Ravi Shah, phone (03) 9123 4567, works at Umbrella", "contacts_create", "Contact created: Ravi Shah", `"phone":"(03) 9123 4567"|"company":"Umbrella"`},
	// A filler after a task's title.
	{D, "can you mark Send John the renewal offer as done for me", "tasks_complete", `Task done: "Send John the renewal offer"`, ""},
	// "by <date>" before the title.
	{D, "remind me by Friday to send the invoices", "tasks_create", `Task created: "Send the invoices"`, `"due":"2026-03-06"`},
	{D, "Remind me by next Monday to renew the domain", "tasks_create", `Task created: "Renew the domain"`, `"due":"2026-03-09"`},
	// A greeting set off by a dash.
	{D, "thanks - tick off Send John the renewal offer", "tasks_complete", `Task done: "Send John the renewal offer"`, ""},
	{D, "hi - who leads Engineering?", "", "Alice Owner", ""},
	// "pass … to" without "over".
	{D, "pass the Q1 report task to Sam", "tasks_assign", "assigned to Sam Lee", ""},
	// "'s" for "has" before left/joined.
	{D, "Emma's left Hooli and joined Globex", "contacts_update", "Contact updated: Emma Schultz", `"company":"Globex"`},
	{D, "Luis's joined Initech", "contacts_update", "Contact updated: Luis Fernández", `"company":"Initech"`},
	// Details in a second sentence that starts with a pronoun.
	{D, "Find Emma Schultz. Her new phone is +49 30 901820, please change it.", "contacts_update", "Contact updated: Emma Schultz", `"phone":"+49 30 901820"`},
	{D, "Check Luis Fernández. His city is Seville now.", "contacts_update", "Contact updated: Luis Fernández", `"city":"Seville"`},
	{D, "Add Omar Said. He is an engineer at Initech.", "contacts_create~contacts_create contacts_update", "Contact created: Omar Said", `"company":"Initech"`},
	// A request and a question joined by a bare "and".
	{D, "create a task to email Chris Martin on Friday and what's his email?", "tasks_create", `Task created: "Email Chris Martin"|chris.martin@globex.example`, `"due":"2026-03-06"`},
	{D, "Assign the renewal offer task to Sam and show his tasks", "tasks_assign", "assigned to Sam Lee|Call Priya about the pilot", ""},
	{D, "add Ada Moss at Hooli and tell me who else works at Hooli", "contacts_create", "Contact created: Ada Moss|Emma Schultz", `"company":"Hooli"`},
	{D, "move Emma to Munich and tell me who else is in Berlin", "contacts_update", "Contact updated: Emma Schultz|Chris Evans", `"city":"Munich"`},
	// Overdue, teammates, the workspace's people, a member's tasks in a period.
	{D, "is anything overdue?", "", "Call Priya about the pilot", ""},
	{D, "who else is on my team?", "", "Sam Lee|Vera Viewer", ""},
	{D, "show everybody who works here", "", "Alice Owner|Vera Viewer", ""},
	{D, "what does Sam need to do this week?", "", "Call Priya about the pilot", ""},
	{D, "what's on Maria's plate this month?", "", "Renew the Hooli contract", ""},
	// A preamble that forbids changes, after an aside.
	{D, "Only asking, don't change anything: who leads Sales?", "", "Maria Garcia", ""},
	// Details before the request.
	{D, "I spoke to Lena Berg today, she's head of sales at Globex. Please add her.", "contacts_create~contacts_create contacts_update", "Contact created: Lena Berg", `"company":"Globex"|"name":"Lena Berg"`},
	// A labelled subject holding a dash, then the body.
	{D, "Send Emma an email with subject: Fair - bring badges, saying: see you there", "email_send", "Emma Schultz", `"subject":"Fair - bring badges"`},
}
