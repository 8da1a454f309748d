// Package a2a is the node's Agent2Agent protocol 1.0 binding (DESIGN §7,
// §7a): the A2A agent card with soisnode's extension and its JWS
// signatures[], and the A2A server at /a2a — a request handler for
// github.com/a2aproject/a2a-go's JSON-RPC and HTTP+JSON transports whose
// tasks are turns of durable conversations. A task is stored in SQL
// (a2a_tasks) scoped to its workspace and integration key; sending a
// message only enqueues the same durable turn POST /api/agent runs, so an
// A2A caller gets exactly what a REST caller with the same credentials
// gets: the same budgets, scopes, receipts and signed replies.
package a2a
