// Package runner runs declarative multi-node scenarios (testbed/scenarios):
// it builds the soisnode binary once, starts every node as its own process
// on 127.0.0.1 with its own database, drives callers, a fake model server
// and a webhook receiver, injects faults (SIGKILL, stop, start, receiver
// outages), checks the expectations and writes a Markdown and JSON report
// beside each node's log. docs/testbed.md describes the file format.
package runner
