package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/soisnode/soisnode/agent/openai/openaifake"
)

// fakeModel is the scenario's priced model: an OpenAI-compatible fake
// server answering each turn from the scripted replies.
type fakeModel struct {
	spec   *ModelSpec
	srv    *openaifake.Server
	prices string // the SOIS_PRICES_FILE written for it

	mu    sync.Mutex
	times []time.Time // when each call arrived
}

const fakeAPIKey = "sk-testbed-key"

func startModel(spec *ModelSpec, dir string) (*fakeModel, error) {
	if spec.Model == "" {
		spec.Model = "testbed-model"
	}
	m := &fakeModel{spec: spec, srv: openaifake.New()}
	m.srv.APIKey = fakeAPIKey
	m.srv.Handle(m.answer)
	price := map[string]any{"input": spec.Price.Input, "output": spec.Price.Output}
	if spec.Price.MaxOutputTokens > 0 {
		price["max_output_tokens"] = spec.Price.MaxOutputTokens
	}
	b, _ := json.Marshal(map[string]any{"version": 1, "currency": "USD", "models": map[string]any{spec.Model: price}})
	m.prices = filepath.Join(dir, "prices.json")
	if err := os.WriteFile(m.prices, b, 0o600); err != nil {
		m.srv.Close()
		return nil, fmt.Errorf("runner: price file: %w", err)
	}
	return m, nil
}

// env is what a node with provider "fake" is started with.
func (m *fakeModel) env() []string {
	return []string{"SOIS_LLM_BASE_URL=" + m.srv.BaseURL(), "SOIS_LLM_API_KEY=" + fakeAPIKey,
		"SOIS_MODEL=" + m.spec.Model, "SOIS_PRICES_FILE=" + m.prices}
}

// answer picks the reply by how many model answers the turn already has:
// the i-th call of a turn gets Replies[i] (the last one repeats).
func (m *fakeModel) answer(r openaifake.Request) openaifake.Reply {
	m.mu.Lock()
	m.times = append(m.times, time.Now())
	m.mu.Unlock()
	if m.spec.Delay.Duration > 0 {
		time.Sleep(m.spec.Delay.Duration) // the model's latency, scripted
	}
	step, message := 0, ""
	for _, msg := range r.Parsed.Messages {
		switch msg.Role {
		case "assistant":
			step++
		case "user":
			message = msg.Text()
		}
	}
	if step >= len(m.spec.Replies) {
		step = len(m.spec.Replies) - 1
	}
	rep := m.spec.Replies[step]
	fill := func(s string) string { return strings.ReplaceAll(s, "$message", message) }
	if rep.Tool == "" {
		return openaifake.Text(fill(rep.Text))
	}
	args := map[string]any{}
	for k, v := range rep.Args {
		args[k] = fill(v)
	}
	return openaifake.Calls(openaifake.Call{Name: rep.Tool, Args: args})
}

// calls is how many calls arrived, and the time of the last.
func (m *fakeModel) calls() (int, time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.times) == 0 {
		return 0, time.Time{}
	}
	return len(m.times), m.times[len(m.times)-1]
}

func (m *fakeModel) close() { m.srv.Close() }
