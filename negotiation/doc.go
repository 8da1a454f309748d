// Package negotiation will hold the signed multi-turn exchanges between
// peer nodes of DESIGN §7: the envelope and its checks (signature, pinned
// sender, audience, expiry, replay, sequence), the exchange state machine,
// the budget cap per exchange and the transcripts and summaries.
//
// Not built yet: no open issue covers it; webhook.EventNegotiation is
// reserved for its "negotiation.finished" event.
package negotiation
