package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// label names a step for progress and the report.
func (s Step) label() string {
	switch {
	case s.Send != "":
		return "send " + s.Send
	case s.Wait != "":
		return "wait " + s.Wait
	case s.Kill != "":
		return "kill -9 " + s.Kill
	case s.Stop != "":
		return "stop " + s.Stop
	case s.Start != "":
		return "start " + s.Start
	case s.Until != nil:
		return fmt.Sprintf("until %s has %d running, %d queued, %d completed", s.Until.Node, s.Until.Running, s.Until.Queued, s.Until.Completed.Small)
	case s.Negotiate != nil:
		return fmt.Sprintf("%s: %q", s.Negotiate.Node, s.Negotiate.Message)
	}
	return "?"
}

func (r *run) do(ctx context.Context, st Step) error {
	switch {
	case st.Send != "":
		c := r.callers[st.Send]
		go c.run(ctx)
		return nil
	case st.Wait != "":
		c := r.callers[st.Wait]
		if err := c.settle(ctx, r.settleWithin()); err != nil {
			return err
		}
		if c.spec.Kind == "webhook" {
			return r.waitDelivered(ctx, c)
		}
		return nil
	case st.Kill != "":
		r.procs[st.Kill].Kill()
		r.rep.Faults = append(r.rep.Faults, fmt.Sprintf("%s SIGKILL %s", time.Now().UTC().Format("15:04:05.000"), st.Kill))
		return nil
	case st.Stop != "":
		r.rep.Faults = append(r.rep.Faults, fmt.Sprintf("%s SIGTERM %s", time.Now().UTC().Format("15:04:05.000"), st.Stop))
		return r.procs[st.Stop].Stop()
	case st.Start != "":
		return r.procs[st.Start].Start(ctx)
	case st.Until != nil:
		return r.until(ctx, st.Until)
	case st.Negotiate != nil:
		return r.negotiate(ctx, st.Negotiate)
	}
	return errUnknownStep
}

// until polls the node's database until the condition holds.
func (r *run) until(ctx context.Context, u *Until) error {
	g := r.groupOf[u.Node]
	want := u.Completed.At(r.opts.Scale)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var running, queued, completed int
		err := g.db.QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) FROM turns`).Scan(&running, &queued, &completed)
		if err != nil {
			return fmt.Errorf("until: %w", err)
		}
		if running >= u.Running && queued >= u.Queued && completed >= want {
			r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("%s: %d running, %d queued, %d completed when the condition held", u.Node, running, queued, completed))
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("until: after 3m %d running, %d queued, %d completed", running, queued, completed)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond): // polling the database with a deadline
		}
	}
}

// waitDelivered waits until every accepted conversation of c has a
// delivery its receiver answered 2xx.
func (r *run) waitDelivered(ctx context.Context, c *caller) error {
	deadline := time.Now().Add(r.settleWithin())
	for {
		attempts, byConv, _ := r.recv.snapshot(c.spec.Name)
		missing := 0
		for _, id := range c.convs {
			if id == "" {
				continue
			}
			if !anyDelivered(attempts, byConv[id]) {
				missing++
			}
		}
		if missing == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait %s: %d conversations without a delivered webhook", c.spec.Name, missing)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond): // polling the receiver's record with a deadline
		}
	}
}

func anyDelivered(attempts map[string][]attempt, ids []string) bool {
	for _, id := range ids {
		for _, a := range attempts[id] {
			if a.Answer >= 200 && a.Answer < 300 {
				return true
			}
		}
	}
	return false
}

// negotiate sends a plain-English message with the node's own credentials
// and waits for its turn (which negotiates with a peer) to stop.
func (r *run) negotiate(ctx context.Context, n *NegotiateStep) error {
	p, g := r.procs[n.Node], r.groupOf[n.Node]
	status, _, b, err := call(ctx, "POST", p.Base+"/api/agent", g.creds, map[string]any{"message": n.Message})
	if err != nil {
		return err
	}
	if status != http.StatusAccepted && status != http.StatusOK {
		return fmt.Errorf("POST /api/agent = %d %s", status, b)
	}
	cv, err := pollConversation(ctx, []*Proc{p}, g.creds, convID(b), 3*time.Minute)
	if err != nil {
		return err
	}
	var tools []string
	for _, t := range cv.Turns {
		for _, a := range t.Actions {
			tools = append(tools, a.Tool)
		}
	}
	acts, _ := json.Marshal(tools)
	r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("%s: %s → %s, actions %s: %s", n.Node, n.Message, cv.Status, acts, strings.ReplaceAll(cv.Reply, "\n", " / ")))
	if cv.Status != "completed" {
		return fmt.Errorf("the turn ended %s: %s", cv.Status, cv.Error)
	}
	return nil
}
