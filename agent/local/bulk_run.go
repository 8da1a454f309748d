package local

import (
	"fmt"
	"strings"
)

// bulkChange is one change to many records, always confirmed first:
// the question (with the count and the names), what is said when the
// answer is not yes, and the call for each record.
type bulkChange struct {
	question, cancelled string
	records             []obj
	call                func(obj) call
	name                func(obj) string // how a failed record is named
}

// confirmEach asks b's question and, on yes, runs b's call for every
// record. It returns the records changed and the failures ("Name
// (error)"), with halt when the runner holds the next step (the
// question, or a step to run) and skip when the answer cancelled (the
// cancellation said).
func (r *runner) confirmEach(b bulkChange) (done []obj, failed []string, fl flow) {
	ans, ok := r.ask(b.question + " Reply 'yes' to confirm.")
	if !ok {
		return nil, nil, halt
	}
	if !isYes(ans) {
		r.say("%s", b.cancelled)
		return nil, nil, skip
	}
	calls := make([]call, len(b.records))
	for i, rec := range b.records {
		calls[i] = b.call(rec)
	}
	res, ok := r.exec(calls...)
	if !ok {
		return nil, nil, halt
	}
	for i, x := range res {
		if x.failed() {
			failed = append(failed, fmt.Sprintf("%s (%s)", b.name(b.records[i]), x.err))
		} else {
			done = append(done, b.records[i])
		}
	}
	return done, failed, proceed
}

// sayBulk reports a bulk change's outcome: "Deleted 2 contacts in
// Berlin: …", then the failures.
func (r *runner) sayBulk(past, failVerb, desc string, k kind, done []obj, failed []string, name func(obj) string) {
	if len(done) > 0 {
		r.say("%s %s%s: %s.", past, count(len(done), k), desc, namesOf(done, name, shownInReply))
	}
	if len(failed) > 0 {
		r.say("Could not %s %s: %s.", failVerb, count(len(failed), k), strings.Join(failed, "; "))
	}
}
