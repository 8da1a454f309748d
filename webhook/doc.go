// Package webhook delivers events to callers' response URLs durably and at
// least once (DESIGN §6): deliveries are queued in the database inside the
// transaction that produces them, sent by a Dispatcher that leases due rows
// (so several node processes can share one PostgreSQL), signed with the
// node's keys (Sois-Signature and Standard Webhooks headers), retried on a
// fixed schedule with jitter for more than 24 hours, and dead-lettered
// afterwards. A Guard keeps the sender away from private and loopback
// addresses, checked when a connection is made.
package webhook
