package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// progress shows the run on opts.Progress until the returned func is
// called: one line redrawn in place on a terminal, a plain line every few
// seconds (when something changed) otherwise.
func (r *run) progress(ctx context.Context) func() {
	w := r.opts.Progress
	if w == nil {
		return func() {}
	}
	every := 2 * time.Second
	if r.opts.TTY {
		every = 200 * time.Millisecond
	}
	stop, done := make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		last, lastAt := "", time.Time{}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			line, state := r.line(time.Since(start))
			if r.opts.TTY {
				fmt.Fprintf(w, "\r\033[K%s", line)
			} else if state != last || time.Since(lastAt) >= 15*time.Second {
				fmt.Fprintln(w, line)
				last, lastAt = state, time.Now()
			}
			select {
			case <-stop:
				if r.opts.TTY {
					fmt.Fprintln(w)
				}
				return
			case <-ctx.Done():
			case <-t.C:
			}
		}
	}()
	return func() { close(stop); <-done }
}

// line is the progress line: a bar over every caller's messages, counts,
// and the current step; state is the line without the clock.
func (r *run) line(elapsed time.Duration) (line, state string) {
	var total, stopped, accepted, refused int
	var names []string
	if r.ready.Load() {
		for n := range r.callers {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		c := r.callers[n]
		total += c.count
		done := int(c.stoppedN.Load())
		if c.spec.Kind == "webhook" && r.recv != nil {
			done = max(done, r.recv.delivered(n)) // a webhook caller's turn is done when its reply arrived
		}
		stopped += done
		accepted += int(c.accepted.Load())
		refused += int(c.refusedN.Load())
	}
	const width = 24
	bar := ""
	if total > 0 {
		fill := (stopped + refused) * width / total
		bar = fmt.Sprintf("[%s%s] %d/%d done, %d accepted, %d refused · ", strings.Repeat("#", fill), strings.Repeat(".", width-fill), stopped+refused, total, accepted, refused)
	}
	state = fmt.Sprintf("%s %s%s", r.spec.Name, bar, r.step.Load())
	return fmt.Sprintf("%s (%s)", state, elapsed.Round(time.Second)), state
}
