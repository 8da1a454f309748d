package negotiation

import (
	"context"
	"errors"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2aclient"

	"github.com/soisnode/soisnode/peers"
)

// Limits of A2AHTTP.
const (
	// MaxA2AAnswer bounds the body of one answer of a plain A2A peer.
	MaxA2AAnswer = 256 << 10
	// a2aWait is how long Send polls a task the peer is still working on
	// before the job tries again later.
	a2aWait = 60 * time.Second
)

// A2AHTTP is an A2AClient over HTTP: a2a-go v2's JSON-RPC client
// transport through Client (the node gives it the SSRF-guarded peer
// client), each answer at most MaxA2AAnswer bytes, with the peer's
// credential (if the operator gave one) on every request. A peer that
// refuses the request's credentials (HTTP 401 or 403, or the A2A errors
// for them) is a *Refused that says so: the exchange ends failed.
type A2AHTTP struct {
	Client *http.Client
	// Poll is how often a task still working is read again; default 1 s.
	Poll time.Duration
}

var _ A2AClient = A2AHTTP{}

// Send implements A2AClient.
func (h A2AHTTP) Send(ctx context.Context, url string, cred *peers.Credential, msg *spec.Message) (spec.SendMessageResult, error) {
	c := *h.Client
	auth := &credentialed{next: limitBody{next: h.Client.Transport, limit: MaxA2AAnswer}, cred: cred}
	c.Transport = auth
	t := a2aclient.NewJSONRPCTransport(url, &c)
	defer t.Destroy()
	res, err := t.SendMessage(ctx, a2aclient.ServiceParams{}, &spec.SendMessageRequest{Message: msg})
	if err != nil {
		return nil, auth.failed(url, err)
	}
	task, ok := res.(*spec.Task)
	if !ok || !working(task.Status.State) {
		return res, nil
	}
	poll := h.Poll
	if poll <= 0 {
		poll = time.Second
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	deadline := time.Now().Add(a2aWait)
	for working(task.Status.State) {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("A2A peer %s: task %s still %s after %s", url, task.ID, task.Status.State, a2aWait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		if task, err = t.GetTask(ctx, a2aclient.ServiceParams{}, &spec.GetTaskRequest{ID: task.ID}); err != nil {
			return nil, auth.failed(url, err)
		}
	}
	return task, nil
}

// working reports whether a task may still change by itself.
func working(s spec.TaskState) bool {
	return s == spec.TaskStateSubmitted || s == spec.TaskStateWorking
}

// a2aError maps a failed call: an A2A error is the peer's refusal, the
// rest (transport, status, decoding) may pass.
func a2aError(url string, err error) error {
	var e *spec.Error
	if errors.As(err, &e) {
		return &Refused{Detail: clip.Bytes(fmt.Sprintf("A2A error from %s: %v", url, err), 500)}
	}
	return fmt.Errorf("A2A peer %s: %w", url, err)
}

// limitBody cuts every answer's body at limit bytes (reading more fails).
type limitBody struct {
	next  http.RoundTripper
	limit int64
}

func (l limitBody) RoundTrip(r *http.Request) (*http.Response, error) {
	next := l.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &capped{ReadCloser: resp.Body, left: l.limit}
	return resp, nil
}

// capped is a body that fails once more than left bytes were read.
type capped struct {
	io.ReadCloser
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errors.New("the answer is larger than the limit")
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.ReadCloser.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, fmt.Errorf("the answer is larger than %d bytes", MaxA2AAnswer)
	}
	return n, err
}

// credentialed sets a plain peer's credential on every request (under
// the SSRF guard, which is next's transport) and remembers an answer
// that refused the request's credentials.
type credentialed struct {
	next    http.RoundTripper
	cred    *peers.Credential
	refused atomic.Int32 // the status of the last 401 or 403 answer
}

func (c *credentialed) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.cred != nil {
		r = r.Clone(r.Context())
		c.cred.Apply(r.Header)
	}
	resp, err := c.next.RoundTrip(r)
	if err == nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		c.refused.Store(int32(resp.StatusCode))
	}
	return resp, err
}

// failed maps a failed call (a2aError), a refusal of the credentials
// first: no retry can fix those, and the exchange's summary says why.
func (c *credentialed) failed(url string, err error) error {
	status := int(c.refused.Load())
	if status == 0 && (errors.Is(err, spec.ErrUnauthenticated) || errors.Is(err, spec.ErrUnauthorized)) {
		status = http.StatusUnauthorized
	}
	if status == 0 {
		return a2aError(url, err)
	}
	how := "no credential is set for this peer (soisnode peers credential PEER --credential-file PATH)"
	if c.cred != nil {
		how = "the credential set for this peer (" + c.cred.Kind() + ") was refused"
	}
	return &Refused{Status: status, Detail: fmt.Sprintf("the A2A agent at %s refused the request (%d %s): %s", url, status, http.StatusText(status), how)}
}
