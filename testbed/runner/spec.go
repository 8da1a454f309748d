package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// Spec is a scenario file (docs/testbed.md lists every field).
type Spec struct {
	Name        string       `yaml:"name"`
	Description string       `yaml:"description"`
	Nodes       []NodeSpec   `yaml:"nodes"`
	Model       *ModelSpec   `yaml:"model"`
	Seed        []SeedSpec   `yaml:"seed"`
	Peers       []PeerSpec   `yaml:"peers"`
	Callers     []CallerSpec `yaml:"callers"`
	Receiver    ReceiverSpec `yaml:"receiver"`
	Steps       []Step       `yaml:"steps"`
	Expect      []Expect     `yaml:"expect"`
}

// NodeSpec is one soisnode process.
type NodeSpec struct {
	Name     string `yaml:"name"`
	Database string `yaml:"database"` // sqlite | postgres
	// Share names an earlier node whose database (and master key) this
	// node uses: several processes serving one workspace (postgres only).
	Share    string            `yaml:"share"`
	Env      map[string]string `yaml:"env"`
	Provider string            `yaml:"provider"` // local (default) | fake
}

// ModelSpec is the fake model server (OpenAI wire protocol) the nodes with
// provider "fake" call, with its price.
type ModelSpec struct {
	Model string `yaml:"model"` // default "testbed-model"
	// Price per million tokens, decimal USD strings, and the output cap
	// reserved per call (docs/budgets.md).
	Price struct {
		Input           string `yaml:"input"`
		Output          string `yaml:"output"`
		MaxOutputTokens int    `yaml:"max_output_tokens"`
	} `yaml:"price"`
	// Replies[i] answers a turn's (i+1)-th model call; the last one
	// repeats. "$message" in a text or an argument is the caller's message.
	Replies []ReplySpec `yaml:"replies"`
	Delay   Duration    `yaml:"delay"` // each call is held this long before it answers
}

// ReplySpec is one scripted answer: text, or one tool call.
type ReplySpec struct {
	Text string            `yaml:"text"`
	Tool string            `yaml:"tool"`
	Args map[string]string `yaml:"args"`
}

// SeedSpec puts records into a node's workspace before it starts.
type SeedSpec struct {
	Node     string        `yaml:"node"`
	Contacts []ContactSeed `yaml:"contacts"`
}

// ContactSeed is one seeded contact.
type ContactSeed struct {
	Name    string `yaml:"name"`
	Email   string `yaml:"email"`
	Company string `yaml:"company"`
	City    string `yaml:"city"`
}

// PeerSpec makes From pin To (`soisnode peers add`), with the inbound
// policy From grants To.
type PeerSpec struct {
	From   string   `yaml:"from"`
	To     string   `yaml:"to"`
	Scopes []string `yaml:"scopes"`
}

// CallerSpec is a population of callers on one integration key.
type CallerSpec struct {
	Name  string   `yaml:"name"`
	Nodes []string `yaml:"nodes"` // messages go round-robin to these nodes
	Kind  string   `yaml:"kind"`  // webhook | polling
	// Count messages, Concurrency at a time; Message is sent with "$n"
	// replaced by the message's number (1-based).
	Count       Scaled `yaml:"count"`
	Concurrency Scaled `yaml:"concurrency"`
	Message     string `yaml:"message"`
	// BudgetTotal is the key's total budget in USD ("" = none).
	BudgetTotal string `yaml:"budget_total"`
	// LoseEvery: every n-th response to POST /api/agent is thrown away
	// and the request sent again with the same Idempotency-Key.
	LoseEvery int `yaml:"lose_every"`
}

// ReceiverSpec is the webhook receiver's behaviour: Faults apply to the
// first attempt of the first Fraction of deliveries, in turn.
type ReceiverSpec struct {
	Fraction   float64  `yaml:"fraction"`
	Faults     []string `yaml:"faults"` // 500 | timeout | retry_after
	RetryAfter Duration `yaml:"retry_after"`
}

// Step is one action; exactly one field is set.
type Step struct {
	Send      string         `yaml:"send"`      // start a caller (runs in the background)
	Wait      string         `yaml:"wait"`      // wait until a caller's conversations all stopped
	Kill      string         `yaml:"kill"`      // SIGKILL a node
	Stop      string         `yaml:"stop"`      // SIGTERM a node and wait
	Start     string         `yaml:"start"`     // start a stopped node again
	Until     *Until         `yaml:"until"`     // wait for a condition (before a fault)
	Negotiate *NegotiateStep `yaml:"negotiate"` // send a plain-English message and wait for its reply
}

// Until waits until at least Running turns of a node's database are
// running and Queued queued, or Completed have completed.
type Until struct {
	Node      string `yaml:"node"`
	Running   int    `yaml:"running"`
	Queued    int    `yaml:"queued"`
	Completed Scaled `yaml:"completed"`
}

// NegotiateStep sends one message with the node's own credentials and
// waits for the turn (which negotiates with a peer) to stop.
type NegotiateStep struct {
	Node    string `yaml:"node"`
	Message string `yaml:"message"`
}

// Expect is one check; exactly one field is set.
type Expect struct {
	Completed   string       `yaml:"completed"`    // every message of a caller: one conversation, completed
	ExactlyOnce string       `yaml:"exactly_once"` // per conversation of the caller: one turn, one side effect
	Webhooks    *WebhookExp  `yaml:"webhooks"`
	Budget      *BudgetExp   `yaml:"budget"`
	Contacts    *ContactsExp `yaml:"contacts"`
	Negotiated  *NegExp      `yaml:"negotiated"`
}

// WebhookExp checks a webhook caller's deliveries.
type WebhookExp struct {
	Caller string `yaml:"caller"`
	// Schedule: each retried delivery's next attempt came no earlier than
	// the schedule's delay (−10 % jitter) or the Retry-After.
	Schedule bool `yaml:"schedule"`
}

// BudgetExp checks a budgeted caller: spend ≤ limit + one call's maximum,
// refusals are 402 budget_exceeded naming the budget, and the fake model
// hears nothing once the budget is spent.
type BudgetExp struct {
	Caller string `yaml:"caller"`
}

// ContactsExp checks a node's contacts, by name.
type ContactsExp struct {
	Node  string   `yaml:"node"`
	Names []string `yaml:"names"`
}

// NegExp checks that every negotiation on a node ended with Status.
type NegExp struct {
	Node   string `yaml:"node"`
	Status string `yaml:"status"`
	Count  int    `yaml:"count"`
}

// Scaled is a number that may differ by scale: `40` or `{small: 40, full: 1000}`.
type Scaled struct{ Small, Full int }

// UnmarshalYAML reads a number or a small/full mapping.
func (s *Scaled) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var v int
		if err := n.Decode(&v); err != nil {
			return err
		}
		s.Small, s.Full = v, v
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a number or {small: N, full: N}", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var x int
		if err := v.Decode(&x); err != nil {
			return err
		}
		switch k.Value {
		case "small":
			s.Small = x
		case "full":
			s.Full = x
		default:
			return fmt.Errorf("line %d: field %s not found in a scaled number (small, full)", k.Line, k.Value)
		}
	}
	return nil
}

// At is the value at scale.
func (s Scaled) At(scale string) int {
	if scale == "full" {
		return s.Full
	}
	return s.Small
}

// Duration is a time.Duration written as "5s".
type Duration struct{ time.Duration }

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	d.Duration = v
	return nil
}

// Load reads and validates a scenario file (YAML; JSON is YAML too).
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", filepath.Base(path), err)
	}
	return s, nil
}

// Parse decodes and validates a scenario; unknown fields are refused.
func Parse(b []byte) (*Spec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Spec) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if s.Name == "" {
		bad("name: required")
	}
	nodes := map[string]NodeSpec{}
	for i, n := range s.Nodes {
		switch {
		case n.Name == "":
			bad("nodes[%d].name: required", i)
		case nodes[n.Name].Name != "":
			bad("nodes[%d].name: %q twice", i, n.Name)
		}
		if n.Database != "sqlite" && n.Database != "postgres" {
			bad("nodes[%d].database: %q, want sqlite or postgres", i, n.Database)
		}
		if n.Share != "" {
			if o, ok := nodes[n.Share]; !ok || o.Database != "postgres" || n.Database != "postgres" {
				bad("nodes[%d].share: %q must name an earlier postgres node, and this node be postgres", i, n.Share)
			}
		}
		switch n.Provider {
		case "", "local":
		case "fake":
			if s.Model == nil {
				bad("nodes[%d].provider: fake needs a model section", i)
			}
		default:
			bad("nodes[%d].provider: %q, want local or fake", i, n.Provider)
		}
		nodes[n.Name] = n
	}
	if len(s.Nodes) == 0 {
		bad("nodes: at least one")
	}
	node := func(field, name string) {
		if _, ok := nodes[name]; !ok {
			bad("%s: unknown node %q", field, name)
		}
	}
	if m := s.Model; m != nil {
		if len(m.Replies) == 0 {
			bad("model.replies: at least one")
		}
		for i, r := range m.Replies {
			if (r.Text == "") == (r.Tool == "") {
				bad("model.replies[%d]: exactly one of text and tool", i)
			}
		}
		if m.Price.Input == "" || m.Price.Output == "" {
			bad("model.price: input and output are required (USD per million tokens)")
		}
	}
	for i, sd := range s.Seed {
		node(fmt.Sprintf("seed[%d].node", i), sd.Node)
	}
	for i, p := range s.Peers {
		node(fmt.Sprintf("peers[%d].from", i), p.From)
		node(fmt.Sprintf("peers[%d].to", i), p.To)
	}
	callers := map[string]CallerSpec{}
	for i, c := range s.Callers {
		f := fmt.Sprintf("callers[%d]", i)
		if c.Name == "" || callers[c.Name].Name != "" {
			bad("%s.name: required and unique", f)
		}
		if len(c.Nodes) == 0 {
			bad("%s.nodes: at least one", f)
		}
		for _, n := range c.Nodes {
			node(f+".nodes", n)
		}
		if c.Kind != "webhook" && c.Kind != "polling" {
			bad("%s.kind: %q, want webhook or polling", f, c.Kind)
		}
		if c.Count.Small <= 0 || c.Count.Full <= 0 {
			bad("%s.count: positive at every scale", f)
		}
		if c.Concurrency.Small <= 0 || c.Concurrency.Full <= 0 {
			bad("%s.concurrency: positive at every scale", f)
		}
		if c.Message == "" {
			bad("%s.message: required", f)
		}
		if c.LoseEvery < 0 || (c.LoseEvery > 0 && c.Kind != "polling") {
			bad("%s.lose_every: only for polling callers, ≥ 0", f)
		}
		callers[c.Name] = c
	}
	caller := func(field, name string) {
		if _, ok := callers[name]; !ok {
			bad("%s: unknown caller %q", field, name)
		}
	}
	for _, f := range s.Receiver.Faults {
		if f != "500" && f != "timeout" && f != "retry_after" {
			bad("receiver.faults: %q, want 500, timeout or retry_after", f)
		}
	}
	if s.Receiver.Fraction < 0 || s.Receiver.Fraction > 1 {
		bad("receiver.fraction: between 0 and 1")
	}
	for i, st := range s.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		set := 0
		for _, v := range []string{st.Send, st.Wait, st.Kill, st.Stop, st.Start} {
			if v != "" {
				set++
			}
		}
		if st.Until != nil {
			set++
			node(f+".until.node", st.Until.Node)
		}
		if st.Negotiate != nil {
			set++
			node(f+".negotiate.node", st.Negotiate.Node)
		}
		if set != 1 {
			bad("%s: exactly one of send, wait, kill, stop, start, until, negotiate", f)
			continue
		}
		switch {
		case st.Send != "":
			caller(f+".send", st.Send)
		case st.Wait != "":
			caller(f+".wait", st.Wait)
		case st.Kill != "":
			node(f+".kill", st.Kill)
		case st.Stop != "":
			node(f+".stop", st.Stop)
		case st.Start != "":
			node(f+".start", st.Start)
		}
	}
	for i, e := range s.Expect {
		f := fmt.Sprintf("expect[%d]", i)
		set := 0
		if e.Completed != "" {
			set++
			caller(f+".completed", e.Completed)
		}
		if e.ExactlyOnce != "" {
			set++
			caller(f+".exactly_once", e.ExactlyOnce)
		}
		if e.Webhooks != nil {
			set++
			caller(f+".webhooks.caller", e.Webhooks.Caller)
			if c := callers[e.Webhooks.Caller]; c.Name != "" && c.Kind != "webhook" {
				bad("%s.webhooks.caller: %q is not a webhook caller", f, c.Name)
			}
		}
		if e.Budget != nil {
			set++
			caller(f+".budget.caller", e.Budget.Caller)
			if c := callers[e.Budget.Caller]; c.Name != "" && c.BudgetTotal == "" {
				bad("%s.budget.caller: %q has no budget_total", f, c.Name)
			}
		}
		if e.Contacts != nil {
			set++
			node(f+".contacts.node", e.Contacts.Node)
		}
		if e.Negotiated != nil {
			set++
			node(f+".negotiated.node", e.Negotiated.Node)
		}
		if set != 1 {
			bad("%s: exactly one of completed, exactly_once, webhooks, budget, contacts, negotiated", f)
		}
	}
	if len(s.Expect) == 0 {
		bad("expect: at least one expectation")
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}
