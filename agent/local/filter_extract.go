package local

import "github.com/soisnode/soisnode/agent/local/recognise"

// recordFilter is what a sentence asks records to match: the record kind
// and the slots a search narrows on (recognise.Filter, the frame shared
// with the offline negotiation in agent/local/negotiate).
type recordFilter = recognise.Filter

// extractRecordFilter reads the record filter of one sentence with the
// shared records-by-filter frame: "Can you send me your contacts in
// Berlin?", "Do you have anyone at Acme?", "your open tasks assigned to
// Maria", "who is in your Platform team?". ok is false when the
// sentence is not a request for records by filter; the error then says
// so, for a clarifying question.
func extractRecordFilter(sentence string) (recordFilter, bool, *parseError) {
	f, ok := recognise.Records(sentence)
	if !ok {
		return recordFilter{}, false, refuse("I could not tell which records %q asks for", clip(sentence, 80))
	}
	return f, true, nil
}
