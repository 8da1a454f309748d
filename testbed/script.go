package testbed

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/soisnode/soisnode/agent"
)

// Script is a scripted model provider: Step decides each answer from the
// request. Gate, when set, blocks every call until it is closed or sent on,
// so tests can hold a turn in "running".
type Script struct {
	Step  func(req agent.Request) agent.Response
	Gate  chan struct{}
	calls atomic.Int64
	mu    sync.Mutex
	reqs  []agent.Request
}

// Name implements agent.Provider.
func (s *Script) Name() string { return "script" }

// Model implements agent.Provider.
func (s *Script) Model() string { return "script-1" }

// Calls is how many times Generate was called.
func (s *Script) Calls() int64 { return s.calls.Load() }

// Generate implements agent.Provider.
func (s *Script) Generate(ctx context.Context, req agent.Request) (agent.Response, error) {
	s.calls.Add(1)
	if s.Gate != nil {
		select {
		case <-s.Gate:
		case <-ctx.Done():
			return agent.Response{}, ctx.Err()
		}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	if s.Step == nil {
		return agent.Response{Message: agent.Message{Role: agent.RoleModel, Text: "ok"}}, nil
	}
	return s.Step(req), nil
}

// Echo is a Step that replies "echo: <last user message>".
func Echo(req agent.Request) agent.Response {
	last := ""
	for _, m := range req.Messages {
		if m.Role == agent.RoleUser {
			last = m.Text
		}
	}
	return agent.Response{Message: agent.Message{Role: agent.RoleModel, Text: "echo: " + last}}
}
