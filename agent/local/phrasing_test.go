package local

import (
	"regexp"
	"strings"
	"testing"
)

// phrasing is one conversation with the demo workspace: the caller's
// messages (separated by " >> "), what the last reply must contain, the
// write tools that must have run (in order, space-separated; "" for
// none, so a refusal or a question provably changed nothing) and
// fragments the tool calls must contain.
type phrasing struct {
	say, want, writes string
	args              []string
}

// refused is the start of every "not understood" reply.
const refused = "I can't do that yet: "

var phrasings = []phrasing{
	// Contacts: create, in many orders and phrasings.
	{say: "Add a new contact: Bob Jones, bob@initech.com, +1 555 0100, CTO at Initech, based in Austin",
		want: "Contact created: Bob Jones (CTO, Initech, bob@initech.com, +1 555 0100, Austin).", writes: "contacts_create"},
	{say: "New lead: Carla Diaz, VP Marketing at Hooli, carla@hooli.example",
		want: "Contact created: Carla Diaz (VP Marketing, Hooli, carla@hooli.example).", writes: "contacts_create"},
	{say: "Save Maria Lopez (maria@x.io) as a contact",
		want: "Contact created: Maria Lopez (maria@x.io).", writes: "contacts_create"},
	{say: "Please create a contact for Dan Brown, dan@brown.example",
		want: "Contact created: Dan Brown (dan@brown.example).", writes: "contacts_create"},
	{say: "create contact Ana Lima, ana@umbrella.example",
		want: "Contact created: Ana Lima (ana@umbrella.example).", writes: "contacts_create"},
	{say: "add contact: Li Wei, li.wei@globex.example, Engineer at Globex",
		want: "Contact created: Li Wei (Engineer, Globex, li.wei@globex.example).", writes: "contacts_create"},
	{say: "Create a new contact named Olga Petrova with email olga@petrova.example and phone +7 495 123 4567",
		want: "Contact created: Olga Petrova (olga@petrova.example, +7 495 123 4567).", writes: "contacts_create"},
	{say: "Add a contact: name Sara Kim, email sara@kim.example, company Initech, title Designer",
		want: "Contact created: Sara Kim (Designer, Initech, sara@kim.example).", writes: "contacts_create"},
	{say: "New contact - Paul Green, Sales Director, Umbrella Corp, paul@umbrella.example",
		want: "Contact created: Paul Green (Sales Director, Umbrella Corp, paul@umbrella.example).", writes: "contacts_create"},
	{say: "Add a contact for Jane Doe who is the CEO of Acme",
		want: "Contact created: Jane Doe (CEO, Acme).", writes: "contacts_create"},
	{say: "Create a contact: Mark Twain, phone: 555-0199, city: Hartford",
		want: "Contact created: Mark Twain (555-0199, Hartford).", writes: "contacts_create"},
	{say: "Add Ken Adams, ken@adams.example, to contacts",
		want: "Contact created: Ken Adams (ken@adams.example).", writes: "contacts_create"},
	{say: "Create a contact for Nina Rossi, mobile +39 06 1234 5678, lives in Rome",
		want: "Contact created: Nina Rossi (+39 06 1234 5678, Rome).", writes: "contacts_create"},
	{say: "Create contact with name Eva Green and email eva@green.example",
		want: "Contact created: Eva Green (eva@green.example).", writes: "contacts_create"},
	{say: "register a new client: Hana Sato, hana@sato.example",
		want: "Contact created: Hana Sato (hana@sato.example).", writes: "contacts_create"},
	{say: "Add Omar Haddad as a new contact, works at Globex, omar@globex.example",
		want: "Contact created: Omar Haddad (Globex, omar@globex.example).", writes: "contacts_create"},
	{say: "Add new customer Zoe Hart from Hooli in Berlin",
		want: "Contact created: Zoe Hart (Hooli, Berlin).", writes: "contacts_create"},
	{say: "Please add Tim Cook (CEO of Apple) to my contacts",
		want: "Contact created: Tim Cook (CEO, Apple).", writes: "contacts_create"},
	{say: "create a contact for Ivan Petrov; email ivan@petrov.example; phone +44 7700 900123",
		want: "Contact created: Ivan Petrov (ivan@petrov.example, +44 7700 900123).", writes: "contacts_create"},
	{say: "I'd like to create a contact for Zoe Hart, zoe@hart.example",
		want: "Contact created: Zoe Hart (zoe@hart.example).", writes: "contacts_create"},
	{say: "Add a contact named Rui Costa, email rui@costa.example, tags: partner, vip",
		want: "Contact created: Rui Costa (rui@costa.example, tags partner, vip).", writes: "contacts_create"},
	{say: "Create a contact for John Smith, john.smith@globex.example",
		want: "Could not create the contact: ", writes: "contacts_create"},

	// Contacts: search.
	{say: "Show me everyone at Globex", want: "Found 2 contacts at Globex: John Smith", args: []string{`"company":"Globex"`}},
	{say: "Who do we know in London?", want: "Found 2 contacts in London: John Smith", args: []string{`"city":"London"`}},
	{say: "List all contacts", want: "Found 5 contacts: "},
	{say: "Do we have a contact at Hooli?", want: "Found 1 contact at Hooli: Emma Schultz"},
	{say: "Look up john.smith@globex.example", want: "Found 1 contact with email john.smith@globex.example: John Smith"},
	{say: "Any contacts at Initech?", want: "Found 1 contact at Initech: Priya Patel"},
	{say: "Show contacts tagged vip", want: "Found 1 contact tagged vip: Priya Patel"},
	{say: "who works at globex", want: "Found 2 contacts at globex"},
	{say: "Find Kenji", want: "Kenji Tanaka (Engineer, Globex, kenji@globex.example, Tokyo)"},
	{say: "Search contacts for Kenji", want: "Kenji Tanaka (Engineer"},
	{say: "Show me contacts from Madrid", want: "Found 1 contact in Madrid: Luis Fernández"},
	{say: "List contacts at Globex in Tokyo", want: "Found 1 contact at Globex in Tokyo: Kenji Tanaka"},
	{say: "What's John Smith's email?", want: "John Smith's email is john.smith@globex.example."},
	{say: "What is Priya's title", want: "Priya Patel's title is CTO."},
	{say: "What's Emma's phone number?", want: "Emma Schultz has no phone set."},
	{say: "Where is Luis based?", want: "Luis Fernández's city is Madrid."},
	{say: "Which company does Kenji work for?", want: "Kenji Tanaka's company is Globex."},
	{say: "How many contacts do we have?", want: "Found 5 contacts: "},
	{say: "Who are our contacts in Berlin?", want: "Found 1 contact in Berlin: Emma Schultz"},
	{say: "Show me all our customers", want: "Found 2 contacts tagged customer: "},
	{say: "List contacts who work at Umbrella", want: "Found 1 contact at Umbrella: Luis Fernández"},

	// Contacts: update.
	{say: "Set Priya's title to CIO", want: "Contact updated: Priya Patel (title CIO).", writes: "contacts_update"},
	{say: "Change the phone number of John Smith to +44 20 7946 0001", want: "Contact updated: John Smith (phone +44 20 7946 0001).", writes: "contacts_update"},
	{say: "Add the tag vip to Emma", want: "Contact updated: Emma Schultz (tags customer, vip).", writes: "contacts_update"},
	{say: "John Smith now works at Initech", want: "Contact updated: John Smith (company Initech).", writes: "contacts_update"},
	{say: "Update Kenji Tanaka: email kenji.t@globex.example", want: "Contact updated: Kenji Tanaka (email kenji.t@globex.example).", writes: "contacts_update"},
	{say: "Emma's new email is emma.s@hooli.example", want: "Contact updated: Emma Schultz (email emma.s@hooli.example).", writes: "contacts_update"},
	{say: "Luis Fernández moved to Barcelona", want: "Contact updated: Luis Fernández (city Barcelona).", writes: "contacts_update"},
	{say: "Priya Patel is now CEO at Initech", want: "Contact updated: Priya Patel (title CEO, company Initech).", writes: "contacts_update"},
	{say: "Change Emma Schultz's company to Globex", want: "Contact updated: Emma Schultz (company Globex).", writes: "contacts_update"},
	{say: "Set the email for Kenji to kenji@newmail.example", want: "Contact updated: Kenji Tanaka (email kenji@newmail.example).", writes: "contacts_update"},
	{say: "Tag Kenji Tanaka with customer", want: "Contact updated: Kenji Tanaka (tags customer).", writes: "contacts_update"},
	{say: "Remove the tag vip from Priya", want: "Contact updated: Priya Patel (tags prospect).", writes: "contacts_update"},
	{say: "Remove the customer tag from Emma Schultz", want: "Contact updated: Emma Schultz (no tags).", writes: "contacts_update"},
	{say: "Priya's phone number is +1 555 0101", want: "Contact updated: Priya Patel (phone +1 555 0101).", writes: "contacts_update"},
	{say: "Change John Smith's city from London to Manchester", want: "Contact updated: John Smith (city Manchester).", writes: "contacts_update"},
	{say: "Update John's title to VP of Procurement", want: "Contact updated: John Smith (title VP of Procurement).", writes: "contacts_update"},
	{say: "Update Emma's details: phone +49 30 1234567, city Munich", want: "Contact updated: Emma Schultz (phone +49 30 1234567, city Munich).", writes: "contacts_update"},
	{say: "Kenji's company is now Initech", want: "Contact updated: Kenji Tanaka (company Initech).", writes: "contacts_update"},
	{say: "Mark Priya Patel as vip", want: "Contact updated: Priya Patel (tags prospect, vip).", writes: "contacts_update"},
	{say: "Add a note to Emma: prefers calls in the morning", want: "Contact updated: Emma Schultz (notes prefers calls in the morning).", writes: "contacts_update"},

	// Contacts: delete.
	{say: "Delete the contact Kenji Tanaka", want: "Contact deleted: Kenji Tanaka", writes: "contacts_delete"},
	{say: "Remove Emma Schultz from contacts", want: "Contact deleted: Emma Schultz", writes: "contacts_delete"},
	{say: "Delete Kenji Tanaka", want: "Contact deleted: Kenji Tanaka", writes: "contacts_delete"},
	{say: "please delete john.smith@globex.example", want: "Contact deleted: John Smith", writes: "contacts_delete"},
	{say: "Get rid of the contact Luis Fernández", want: "Contact deleted: Luis Fernández", writes: "contacts_delete"},
	{say: "Delete the contact Bob Nobody", want: `No contact matched "Bob Nobody"; nothing was deleted.`},

	// Tasks: create.
	{say: "Remind me to call John tomorrow", want: `Task created: "Call John" (due 2026-03-05, assigned to you).`, writes: "tasks_create"},
	{say: "Create a task for Tom: prepare the contract, due Friday", want: `Task created: "Prepare the contract" (due 2026-03-06, assigned to Tom Baker).`, writes: "tasks_create"},
	{say: "Add a task: Call Emma about the renewal, due next Friday, assign to Sam", want: `Task created: "Call Emma about the renewal" (due 2026-03-06, assigned to Sam Lee).`, writes: "tasks_create"},
	{say: "Create a to-do to review the Globex contract by March 20", want: `Task created: "Review the Globex contract" (due 2026-03-20).`, writes: "tasks_create"},
	{say: "New task for Maria - send the invoice to Hooli by Friday", want: `Task created: "Send the invoice to Hooli" (due 2026-03-06, assigned to Maria Garcia).`, writes: "tasks_create"},
	{say: "Remind Tom to send the contract on Friday", want: `Task created: "Send the contract" (due 2026-03-06, assigned to Tom Baker).`, writes: "tasks_create"},
	{say: "Add a task to follow up with Priya next week", want: `Task created: "Follow up with Priya" (due 2026-03-11).`, writes: "tasks_create"},
	{say: "create task: Update the price list", want: `Task created: "Update the price list".`, writes: "tasks_create"},
	{say: "Add \"Book the offsite venue\" to my tasks", want: `Task created: "Book the offsite venue" (assigned to you).`, writes: "tasks_create"},
	{say: "Add a task for me to renew the domain in 3 days", want: `Task created: "Renew the domain" (due 2026-03-07, assigned to you).`, writes: "tasks_create"},
	{say: "Please remind me to email Kenji on March 10th", want: `Task created: "Email Kenji" (due 2026-03-10, assigned to you).`, writes: "tasks_create"},
	{say: "Make a task called Draft the newsletter due 2026-04-01 and assign it to Sam Lee", want: `Task created: "Draft the newsletter" (due 2026-04-01, assigned to Sam Lee).`, writes: "tasks_create"},
	// A priority before or after the title, around the due date (it goes
	// into the description: tasks have no priority field).
	{say: "Create a task to call Jane Doe tomorrow, high priority", want: `Task created: "Call Jane Doe" (due 2026-03-05, priority high).`, writes: "tasks_create", args: []string{`"description":"Priority: high"`}},
	{say: "Create a task to call Jane Doe, due tomorrow, high priority", want: `Task created: "Call Jane Doe" (due 2026-03-05, priority high).`, writes: "tasks_create", args: []string{`"description":"Priority: high"`}},
	{say: "Add a high priority task: call Jane Doe tomorrow", want: `Task created: "Call Jane Doe" (due 2026-03-05, priority high).`, writes: "tasks_create", args: []string{`"description":"Priority: high"`}},
	{say: "New task: renew the domain, priority low, by Friday", want: `Task created: "Renew the domain" (due 2026-03-06, priority low).`, writes: "tasks_create", args: []string{`"description":"Priority: low"`}},
	{say: "Create an urgent task to send the invoice to Hooli on Friday and assign it to Sam", want: `Task created: "Send the invoice to Hooli" (due 2026-03-06, assigned to Sam Lee, priority high).`, writes: "tasks_create"},
	{say: "Remind me to book the venue next week - urgent", want: `Task created: "Book the venue" (due 2026-03-11, assigned to you, priority high).`, writes: "tasks_create"},
	{say: "Add a task to review the Globex contract, assigned to Tom, with high priority, due March 20", want: `Task created: "Review the Globex contract" (due 2026-03-20, assigned to Tom Baker, priority high).`, writes: "tasks_create"},
	{say: "Create a task to fix the login page and priority medium", want: `Task created: "Fix the login page" (priority medium).`, writes: "tasks_create", args: []string{`"description":"Priority: medium"`}},
	{say: "Add a low priority task: call Emma, high priority", want: refused + "the task has two priorities", writes: ""},
	{say: "Add a task to call Priya on Monday and make it high priority", want: `Task created: "Call Priya" (due 2026-03-09, priority high).`, writes: "tasks_create"},
	{say: "Create a task to deal with urgent", want: `Task created: "Deal with urgent".`, writes: "tasks_create"},
	{say: "Create a task to ship the fix (low priority) by next Friday", want: `Task created: "Ship the fix" (due 2026-03-06, priority low).`, writes: "tasks_create"},
	{say: "Create a task to call Jane Doe with high priority clients tomorrow", want: `Task created: "Call Jane Doe with high priority clients" (due 2026-03-05).`, writes: "tasks_create"},
	{say: "Create a task to review high priority bugs", want: `Task created: "Review high priority bugs".`, writes: "tasks_create"},
	{say: "Create a task to call Jane Doe tomorrow high priority tickets", want: refused + "I could not tell whether", writes: ""},

	// Tasks: find.
	{say: "What's on Maria's plate?", want: `Found 1 task assigned to Maria Garcia: "Prepare the Q1 report"`},
	{say: "Show overdue tasks", want: `Found 1 overdue task: "Call Priya about the pilot"`},
	{say: "Show me my tasks", want: "No tasks assigned to you."},
	{say: "What do I have to do?", want: "No tasks assigned to you."},
	{say: "What tasks does Tom have?", want: `Found 1 task assigned to Tom Baker: "Send John the renewal offer"`},
	{say: "List Tom's tasks", want: `Found 1 task assigned to Tom Baker`},
	{say: "Show tasks due next week", want: `Found 1 task due 2026-03-09 to 2026-03-15`},
	{say: "List all open tasks", want: "Found 3 open tasks"},
	{say: "What is Sam working on?", want: `Found 1 task assigned to Sam Lee: "Call Priya about the pilot"`},
	{say: "Which tasks are overdue?", want: `Found 1 overdue task`},
	{say: "Show all tasks", want: "Found 3 tasks"},
	{say: "What tasks are due tomorrow?", want: "No tasks due 2026-03-05."},
	{say: "Any tasks about the report?", want: `Found 1 task matching "the report"`},
	{say: "What's overdue?", want: `Found 1 overdue task`},

	// Tasks: change.
	{say: "I finished the task Prepare the Q1 report", want: `Task done: "Prepare the Q1 report".`, writes: "tasks_complete"},
	{say: "Reassign Prepare the Q1 report to Sam", want: `Task "Prepare the Q1 report" assigned to Sam Lee.`, writes: "tasks_assign"},
	{say: "Move the due date of Send John the renewal offer to next Monday", want: `Task "Send John the renewal offer" is now due 2026-03-09.`, writes: "tasks_update"},
	{say: "Mark Prepare the Q1 report as done", want: `Task done: "Prepare the Q1 report".`, writes: "tasks_complete"},
	{say: "The task Call Priya about the pilot is done", want: `Task done: "Call Priya about the pilot".`, writes: "tasks_complete"},
	{say: "Delete the Prepare the Q1 report task", want: `Task deleted: "Prepare the Q1 report".`, writes: "tasks_delete"},
	{say: "Change the deadline for Prepare the Q1 report to 2026-03-31", want: `Task "Prepare the Q1 report" is now due 2026-03-31.`, writes: "tasks_update"},
	{say: "Push the task Send John the renewal offer back to next Monday", want: `is now due 2026-03-09.`, writes: "tasks_update"},
	{say: "Assign Prepare the Q1 report to me", want: `Task "Prepare the Q1 report" assigned to you.`, writes: "tasks_assign"},
	{say: "Give the Q1 report task to Tom", want: `Task "Prepare the Q1 report" assigned to Tom Baker.`, writes: "tasks_assign"},
	{say: "I'm done with Call Priya about the pilot", want: `Task done: "Call Priya about the pilot".`, writes: "tasks_complete"},
	{say: "Start the task Prepare the Q1 report", want: `Task "Prepare the Q1 report" is now in progress.`, writes: "tasks_update"},
	{say: "Mark the Q1 report task as complete", want: `Task done: "Prepare the Q1 report".`, writes: "tasks_complete"},
	{say: "Cancel the task Call Priya about the pilot", want: `Task deleted: "Call Priya about the pilot".`, writes: "tasks_delete"},
	{say: "Postpone Call Priya about the pilot to Friday", want: `is now due 2026-03-06.`, writes: "tasks_update"},

	// Email.
	{say: "Email Priya the onboarding pack", want: `The email was not sent: no SMTP relay configured. It is kept in the outbox (to Priya Patel <priya@initech.example>, subject "Onboarding pack")`,
		writes: "email_send", args: []string{`"attachments":["`}},
	{say: "Send John Smith an email with subject 'Renewal' saying we're ready to renew", want: `(to John Smith <john.smith@globex.example>, subject "Renewal")`,
		writes: "email_send", args: []string{`"body":"We're ready to renew."`}},
	{say: "Forward the Q1 report to emma@hooli.example", want: `(to emma@hooli.example, subject "Q1 report")`, writes: "email_send"},
	{say: "Send an email to Kenji saying the demo is on Friday", want: `(to Kenji Tanaka <kenji@globex.example>, subject "The demo is on Friday")`, writes: "email_send"},
	{say: "Email emma@hooli.example: Thanks for the meeting today!", want: `subject "Thanks for the meeting today"`, writes: "email_send", args: []string{`"body":"Thanks for the meeting today!"`}},
	{say: "Write to Luis saying the order shipped", want: `(to Luis Fernández <luis@umbrella.example>, subject "The order shipped")`, writes: "email_send"},
	{say: "Email the Q1 report to Priya and John Smith", want: `(to Priya Patel <priya@initech.example>, John Smith <john.smith@globex.example>, subject "Q1 report")`, writes: "email_send"},
	{say: "Send Emma an email", want: "What should the email to Emma Schultz <emma@hooli.example> say?"},
	{say: "Send Emma an email >> Can we meet next week?", want: `subject "Can we meet next week"`, writes: "email_send", args: []string{`"body":"Can we meet next week?"`}},
	{say: "Email Tom the Q1 report", want: `(to Tom Baker <tom@example.com>, subject "Q1 report")`, writes: "email_send"},
	{say: "Send the onboarding pack to Ana", want: `No contact matched "Ana"; the email was not sent.`},
	{say: "Send an email to Priya Patel about the pilot: can we talk tomorrow?", want: `subject "The pilot"`, writes: "email_send", args: []string{`"body":"Can we talk tomorrow?"`}},
	{say: "Shoot Kenji an email saying thanks for the call", want: `subject "Thanks for the call"`, writes: "email_send"},
	{say: "Send a message to john.smith@globex.example titled Renewal: the offer is attached", want: `subject "Renewal"`, writes: "email_send"},
	{say: "What emails have we sent to John?", want: "No emails to John Smith found."},
	{say: "Email Priya saying hello >> Show emails sent to Priya", want: `Found 1 email to Priya Patel: "Hello"`, writes: "email_send"},
	{say: "Show unsent emails", want: "No unsent emails found."},
	{say: "What's in the outbox?", want: "No unsent emails found."},
	{say: "List all emails", want: "No emails found."},
	{say: "Did we email Priya?", want: "No emails to Priya Patel found."},

	// Files and folders.
	{say: "What files do we have?", want: "4 items in the root folder"},
	{say: "Show me the Reports folder", want: "1 item in the folder Reports: Q4 summary.txt"},
	{say: "Create a folder called Invoices inside Contracts", want: "Folder created: Invoices (in Contracts).", writes: "files_create_folder"},
	{say: "Rename Q1 report.txt to Q1 2026 report.txt", want: `Renamed the file "Q1 report.txt" to "Q1 2026 report.txt".`, writes: "files_rename"},
	{say: "Delete the file Onboarding pack.txt", want: `Deleted the file "Onboarding pack.txt".`, writes: "files_delete"},
	{say: "Open the Reports folder", want: "1 item in the folder Reports"},
	{say: "List the files in the Reports folder", want: "1 item in the folder Reports"},
	{say: "Show all documents", want: "4 items in the root folder"},
	{say: "What's in the Contracts folder?", want: "The folder Contracts is empty."},
	{say: "Make a new folder named Proposals", want: "Folder created: Proposals.", writes: "files_create_folder"},
	{say: "Put Onboarding pack.txt in Contracts", want: `Moved the file "Onboarding pack.txt" to the folder Contracts.`, writes: "files_move"},
	{say: "Move Q1 report.txt into the Reports folder", want: `Moved the file "Q1 report.txt" to the folder Reports.`, writes: "files_move"},
	{say: "Delete Onboarding pack.txt", want: `Deleted the file "Onboarding pack.txt".`, writes: "files_delete"},
	{say: "Remove the Contracts folder", want: `Deleted the folder "Contracts".`, writes: "files_delete"},
	// A folder is a file-family object, with or without "the": never a
	// contact named "Reports".
	{say: "Delete Reports folder", want: `Deleted the folder "Reports"`, writes: "files_delete"},
	{say: "Delete Contracts folder", want: `Deleted the folder "Contracts".`, writes: "files_delete"},
	{say: "Open Reports folder", want: "1 item in the folder Reports"},
	{say: "Do we have a file called budget?", want: `No files matched "budget".`},
	{say: "Find the file Q1 report", want: `Found 1 file matching "Q1 report": Q1 report.txt`},
	{say: "Search files for summary", want: `Found 1 file matching "summary": Q4 summary.txt`},
	{say: "Rename the Contracts folder to Legal", want: `Renamed the folder "Contracts" to "Legal".`, writes: "files_rename"},
	{say: "Make a folder Invoices under Contracts", want: "Folder created: Invoices (in Contracts).", writes: "files_create_folder"},
	{say: "Show me what's in Reports", want: "1 item in the folder Reports"},

	// Org chart.
	{say: "Who works in Sales?", want: "Sales department"},
	{say: "Who is Maria's team lead?", want: "Maria Garcia leads the Sales EMEA team"},
	{say: "Who is Tom's manager?", want: "Maria Garcia (maria@example.com, admin) leads the Sales EMEA team"},
	{say: "Who does Sam report to?", want: "Alice Owner (alice@example.com, owner) leads the Platform team"},
	{say: "What departments do we have?", want: "2 departments: "},
	{say: "Which team is Sam on?", want: "Sam Lee is in the Platform team."},
	{say: "Who is on the Platform team?", want: "Members of the Platform team: "},
	{say: "Who's the head of Sales?", want: "Maria Garcia (maria@example.com, admin) leads the Sales department."},
	{say: "What teams are in Engineering?", want: "1 team in the Engineering department: Platform."},
	{say: "Which department is Tom in?", want: "Tom Baker is in the Sales department (team Sales EMEA)."},
	{say: "List everyone in Engineering", want: "Engineering department"},
	{say: "Who leads the Platform team?", want: "Alice Owner (alice@example.com, owner) leads the Platform team."},
	{say: "Show me all members", want: "5 members: "},
	{say: "What teams are there?", want: "2 teams: "},
	{say: "Which teams am I in?", want: "You are in the Platform team."},
	{say: "Who's in my team?", want: "Members of the Platform team: "},
	{say: "Who is the lead of Sales EMEA?", want: "Maria Garcia (maria@example.com, admin) leads the Sales EMEA team."},

	// Extensions and help.
	{say: "What extensions are installed?", want: "Installed extensions: crm-sync (version 1.2.0, 2 tools)."},
	{say: "Do we have any extensions?", want: "Installed extensions: crm-sync"},
	{say: "Show installed extensions", want: "Installed extensions: crm-sync"},
	{say: "What can you do?", want: "I am the built-in local agent."},
	{say: "help", want: "I am the built-in local agent."},

	// Several actions in one message.
	{say: "Add Ana Lima from Umbrella, ana@umbrella.example and email her the onboarding pack",
		want: "(to Ana Lima <ana@umbrella.example>, subject \"Onboarding pack\")", writes: "contacts_create email_send"},
	{say: "Add Ana Lima from Umbrella and email her the onboarding pack",
		want: "The email was not sent: Ana Lima has no email address.", writes: "contacts_create"},
	{say: "Create a contact for Ben Ode at Hooli and remind me to call him tomorrow",
		want: `Task created: "Call Ben Ode" (due 2026-03-05, assigned to you, contact Ben Ode).`, writes: "contacts_create tasks_create"},
	{say: "Mark Prepare the Q1 report as done and list my tasks", want: "No tasks assigned to you.", writes: "tasks_complete"},
	{say: "List departments and teams", want: "2 teams: "},
	{say: "Find John Smith, then email him the Q1 report", want: refused},

	// Politeness and noise.
	{say: "Hi! Could you please list all contacts?", want: "Found 5 contacts: "},
	{say: "show me all contacts at globex, thanks!", want: "Found 2 contacts at globex"},
	{say: "  LIST   ALL   CONTACTS  ", want: "Found 5 contacts: "},
	{say: "pls show overdue tasks", want: "Found 1 overdue task"},
	{say: "Hey there, can you add a task to call Emma tomorrow?", want: `Task created: "Call Emma" (due 2026-03-05).`, writes: "tasks_create"},
	{say: "Thanks! Now list departments", want: "2 departments: "},
	{say: "Could you kindly tell me who works at Initech?", want: "Found 1 contact at Initech: Priya Patel"},
	{say: "Good morning! Please show my tasks.", want: "No tasks assigned to you."},
	{say: "Can you show me the files please?", want: "4 items in the root folder"},
	{say: "Please, list the teams. Thank you!", want: "2 teams: "},
	{say: "list departments!!!", want: "2 departments: "},
	{say: "hello, who is in the sales emea team?", want: "Members of the Sales EMEA team: Maria Garcia, Tom Baker."},
	{say: "Quick one: who leads Engineering?", want: "Alice Owner (alice@example.com, owner) leads the Engineering department."},

	// Found by probing unseen phrasings.
	{say: "Who is Maria Garcia?", want: `No contact matched "Maria Garcia"; Maria Garcia (maria@example.com, admin) is a member of this workspace.`},
	{say: "Who is Priya Patel?", want: `Found 1 contact matching "Priya Patel": Priya Patel (CTO, Initech`},
	{say: "Show me John Smith", want: `Found 1 contact matching "John Smith"`},
	{say: "Give me Emma's contact info", want: `Found 1 contact matching "Emma": Emma Schultz (Buyer, Hooli, emma@hooli.example, Berlin`},
	{say: "Can you remind me tomorrow to call Priya?", want: `Task created: "Call Priya" (due 2026-03-05, assigned to you).`, writes: "tasks_create"},
	{say: "Todo: call Emma on Monday", want: `Task created: "Call Emma" (due 2026-03-09).`, writes: "tasks_create"},
	{say: "Complete Prepare the Q1 report", want: `Task done: "Prepare the Q1 report".`, writes: "tasks_complete"},
	{say: "Tick off Call Priya about the pilot", want: `Task done: "Call Priya about the pilot".`, writes: "tasks_complete"},
	{say: "Which contacts are tagged vip?", want: "Found 1 contact tagged vip: Priya Patel"},
	{say: "Who is at Globex?", want: "Found 2 contacts at Globex"},
	{say: "Find people at Hooli", want: "Found 1 contact at Hooli: Emma Schultz"},
	{say: "Where is the Q1 report?", want: `Found 1 file matching "Q1 report": Q1 report.txt`},
	{say: "What's inside the Reports folder?", want: "1 item in the folder Reports: Q4 summary.txt"},
	{say: "Show the org chart", want: "2 departments: "},
	{say: "Send a follow-up email to John Smith saying thanks for meeting", want: `subject "Thanks for meeting"`, writes: "email_send"},
	{say: "Mail Priya: the contract is ready", want: `subject "The contract is ready"`, writes: "email_send"},
	{say: "Delete the contact named Kenji Tanaka", want: "Contact deleted: Kenji Tanaka", writes: "contacts_delete"},
	{say: "Priya's title should be CIO", want: "Contact updated: Priya Patel (title CIO).", writes: "contacts_update"},
	{say: "Correct Kenji's email: kenji.tanaka@globex.example", want: "Contact updated: Kenji Tanaka (email kenji.tanaka@globex.example).", writes: "contacts_update"},
	{say: "How many tasks are open?", want: "Found 3 open tasks"},
	{say: "Anything overdue?", want: "Found 1 overdue task"},
	{say: "Move Prepare the Q1 report to Friday", want: `Task "Prepare the Q1 report" is now due 2026-03-06.`, writes: "tasks_update"},

	{say: "Send an email to john.smith@globex.example with the subject Renewal and the message We are ready to renew",
		want: `subject "Renewal"`, writes: "email_send", args: []string{`"body":"We are ready to renew."`}},
	{say: "Move Q1 report.txt back to the root >> Move Q1 report.txt into Reports >> Move Q1 report.txt back to the root",
		want: `Moved the file "Q1 report.txt" to the root folder.`, writes: "files_move files_move files_move"},
	{say: "Delete the folder called Contracts", want: `Deleted the folder "Contracts".`, writes: "files_delete"},
	{say: "List contacts in Berlin and tasks due next week", want: `Found 1 task due 2026-03-09 to 2026-03-15`},
	{say: "Add Ana Lima at Umbrella then remind me to email her on Friday",
		want: `Task created: "Email Ana Lima" (due 2026-03-06, assigned to you, contact Ana Lima).`, writes: "contacts_create tasks_create"},
	{say: "Tell me what you can do", want: "I am the built-in local agent."},

	// Refused, or asked about: never guessed.
	{say: "Mark it as done", want: refused + `I can't tell which task "it" is`},
	{say: "That is done", want: refused},
	{say: "Reassign all tasks to Sam", want: refused},
	{say: "Email Kenji the Q1 report and the onboarding pack", want: refused + "I can attach only one file"},
	{say: "Delete the contact Kenji Tanaka and the contact Emma Schultz", want: refused},
	{say: "Find Jane and delete her", want: refused},
	{say: "Make a contact card for Tom Hanks", want: refused},
	{say: "Remove Priya's phone number", want: refused + "I can't clear a contact's phone yet"},
	{say: "Hi!", want: refused},
	{say: "Send the Q1 report to the Sales team", want: refused},
	{say: "Email all contacts saying hello", want: refused},
	{say: "Update everyone's city to London", want: refused},
	{say: "Delete the Onboarding pack", want: refused},
	{say: "Delete everything", want: refused},
	{say: "What's the weather?", want: refused},
	{say: "Create a contact", want: "Who is the new contact?"},
	{say: "Add a new contact please", want: "Who is the new contact?"},
	{say: "Create a contact >> Jane Doe, CEO of Acme Corp, jane@acme.com", want: "Contact created: Jane Doe (CEO, Acme Corp, jane@acme.com).", writes: "contacts_create"},
	{say: "Create a contact >> never mind", want: "OK, nothing was done."},
	{say: "Add a task >> call Jane tomorrow", want: `Task created: "Call Jane" (due 2026-03-05).`, writes: "tasks_create"},
	{say: "Remind me >> renew the lease on Friday", want: `Task created: "Renew the lease" (due 2026-03-06, assigned to you).`, writes: "tasks_create"},
	{say: "Send an email >> Priya saying the pilot starts on Monday", want: `(to Priya Patel <priya@initech.example>, subject "The pilot starts on Monday")`, writes: "email_send"},
	{say: "Add a task >> bake a cake and juggle", want: `Task created: "Bake a cake and juggle"`, writes: "tasks_create"},
	{say: "Tell me a joke", want: refused},
	{say: "Change John's phone", want: refused},
	{say: "Update Priya", want: refused},
	{say: "Add a task", want: "What should the task be?"},
	{say: "Remind me", want: "What should I remind you of, and when?"},
	{say: "Push Prepare the Q1 report to someday", want: refused},
	{say: "Send an email", want: "Who should the email go to, and what should it say?"},
	{say: "Delete all tasks", want: refused},
	{say: "Book a meeting room for Friday", want: refused},
	{say: "Create a contact for Raj Singh, CFO, Globex", want: "Contact created: Raj Singh (CFO, Globex).", writes: "contacts_create"},
	{say: "Create a contact for Raj Singh, CFO, Wonka", want: refused + `I could not tell what "Wonka" is`},
	{say: "Delete all contacts", want: "This would delete 5 contacts"},
	{say: "Delete all contacts >> no", want: "Cancelled: no contacts were deleted."},
	{say: "Add Jo Park at Globex >> Add Jo Parker at Hooli >> Change Jo's phone to +1 555 0102",
		want: `3 contacts match "Jo"`, writes: "contacts_create contacts_create"},
	{say: "Add Jo Park at Globex >> Add Jo Parker at Hooli >> Change Jo's phone to +1 555 0102 >> the one at Hooli",
		want: "Contact updated: Jo Parker (phone +1 555 0102).", writes: "contacts_create contacts_create contacts_update"},
	{say: "Email John", want: "What should the email to John Smith <john.smith@globex.example> say?"},
	{say: "Find Jane. Then bake a cake", want: refused + `I don't understand "bake a cake"`},
	{say: "Make John happy", want: refused},
	{say: "Delete it", want: refused},
	{say: "Email her the Q1 report", want: refused},
	{say: "Set the status of everything to done", want: refused},
	{say: "Who is the best customer?", want: refused},
}

// writeTool matches the tools that change the workspace.
var writeTool = regexp.MustCompile(`^(?:\w+_(?:create|update|delete|assign|complete|send|rename|move)|files_create_folder)\{`)

// TestPhrasings plays every phrasing against the real tools on a fresh
// demo workspace.
func TestPhrasings(t *testing.T) {
	if len(phrasings) < 120 {
		t.Fatalf("only %d phrasings", len(phrasings))
	}
	for _, p := range phrasings {
		t.Run(p.say, func(t *testing.T) {
			t.Parallel()
			w := newDemoWS(t)
			var reply string
			var all []string
			for _, msg := range strings.Split(p.say, " >> ") {
				var log []string
				reply, log = w.send(msg)
				all = append(all, log...)
			}
			var writes []string
			for _, l := range all {
				if writeTool.MatchString(l) {
					writes = append(writes, l[:strings.IndexByte(l, '{')])
				}
			}
			calls := strings.Join(all, "\n  ")
			if !strings.Contains(reply, p.want) {
				t.Errorf("reply %q\n want %q\n calls:\n  %s", reply, p.want, calls)
			}
			if got := strings.Join(writes, " "); got != p.writes {
				t.Errorf("writes %q, want %q\n calls:\n  %s", got, p.writes, calls)
			}
			if strings.HasPrefix(p.want, refused) {
				// A refusal may only have looked names up (the gazetteer).
				for _, l := range all {
					if !strings.HasPrefix(l, "contacts_search{") {
						t.Errorf("a refusal called tools:\n  %s", calls)
						break
					}
				}
			}
			for _, a := range p.args {
				if !strings.Contains(calls, a) {
					t.Errorf("no call holds %s\n calls:\n  %s", a, calls)
				}
			}
		})
	}
}
