// Command a2agosut is a bare a2a-go v2 server — a2a-go's own request
// handler and in-memory task store, with an executor that answers every
// message at once — for comparing the node with a2a-go itself under the
// A2A TCK (scripts/tck.sh, docs/a2a.md). It serves the agent card at
// /.well-known/agent-card.json and JSON-RPC at /a2a, like the node, and
// GET /readyz (200 once it listens).
//
// With -submitted its executor only acknowledges each message as a
// submitted task, as the in-process peer of a2a's BenchmarkSendMessage
// does: the a2a-go reference server of the external benchmark
// (testbed's BenchmarkExternal, docs/benchmarks.md).
//
//	a2agosut -listen 127.0.0.1:9999 [-submitted]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"iter"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9999", "address to listen on")
	onlySubmit := flag.Bool("submitted", false, "answer every message with a submitted task and stop (the benchmark's reference server)")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	card := &a2a.AgentCard{
		Name:                "a2a-go bare server",
		Description:         "a2a-go v2's request handler and in-memory task store, answering every message at once",
		Version:             "1.0.0",
		SupportedInterfaces: []*a2a.AgentInterface{a2a.NewAgentInterface(base+"/a2a", a2a.TransportProtocolJSONRPC)},
		DefaultInputModes:   []string{"text/plain"},
		DefaultOutputModes:  []string{"text/plain"},
		Capabilities:        a2a.AgentCapabilities{},
		Skills: []a2a.AgentSkill{{ID: "echo", Name: "Echo", Description: "Answers every message.",
			Tags: []string{"echo"}, Examples: []string{"hello"}}},
	}
	mux := http.NewServeMux()
	mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewStaticAgentCardHandler(card))
	var exec a2asrv.AgentExecutor = echo{}
	if *onlySubmit {
		exec = submitted{}
	}
	mux.Handle("/a2a", a2asrv.NewJSONRPCHandler(a2asrv.NewHandler(exec)))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	log.Printf("a2a-go bare server on %s", base)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// echo completes every task with a reply naming the message's text.
type echo struct{}

func (echo) Execute(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[a2a.Event, error] {
	return func(yield func(a2a.Event, error) bool) {
		if ec.StoredTask == nil && !yield(a2a.NewSubmittedTask(ec, ec.Message), nil) {
			return
		}
		var texts []string
		for _, p := range ec.Message.Parts {
			if t, ok := p.Content.(a2a.Text); ok {
				texts = append(texts, string(t))
			}
		}
		reply := a2a.NewMessageForTask(a2a.MessageRoleAgent, ec, a2a.NewTextPart(fmt.Sprintf("You said: %s", strings.Join(texts, " "))))
		yield(a2a.NewStatusUpdateEvent(ec, a2a.TaskStateCompleted, reply), nil)
	}
}

func (echo) Cancel(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[a2a.Event, error] {
	return func(yield func(a2a.Event, error) bool) {
		yield(a2a.NewStatusUpdateEvent(ec, a2a.TaskStateCanceled, nil), nil)
	}
}

// submitted acknowledges every message as a submitted task and stops
// (-submitted), like a2a's BenchmarkSendMessage peer.
type submitted struct{}

func (submitted) Execute(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[a2a.Event, error] {
	return func(yield func(a2a.Event, error) bool) { yield(a2a.NewSubmittedTask(ec, ec.Message), nil) }
}

func (submitted) Cancel(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[a2a.Event, error] {
	return func(yield func(a2a.Event, error) bool) {
		yield(a2a.NewStatusUpdateEvent(ec, a2a.TaskStateCanceled, nil), nil)
	}
}
