package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-retryablehttp"
)

// Sending limits.
const (
	// DefaultTimeout bounds one attempt, connection to last byte.
	DefaultTimeout = 15 * time.Second
	// ResponseLimit is how much of a response body is kept.
	ResponseLimit = 1 << 10
)

// Request is one attempt to send.
type Request struct {
	URL    string
	Body   []byte
	Header http.Header // Content-Type is set to application/json
}

// Result is the outcome of one attempt.
type Result struct {
	Status     int           // HTTP status, 0 when no response arrived
	Latency    time.Duration // request start to response (or error)
	Response   string        // the first ResponseLimit bytes of the body, as valid UTF-8
	RetryAfter time.Duration // the receiver's Retry-After, zero when absent
	Gone       bool          // 410: the receiver wants no more deliveries
	Err        error         // transport failure (including refused addresses)
}

// OK reports whether the attempt succeeded: a 2xx answer. A 3xx is a failure;
// redirects are not followed.
func (r Result) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// Sender makes single delivery attempts. Its dialer refuses private and
// loopback addresses unless allow-listed by its Guard.
type Sender struct {
	client *retryablehttp.Client
	now    func() time.Time
}

// NewSender returns a Sender guarded by g; timeout 0 means DefaultTimeout.
func NewSender(g Guard, timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	transport := g.Transport(timeout)
	hc := &http.Client{
		Transport: transport,
		Timeout:   timeout,
		// Redirects are a failure (Standard Webhooks): the target is
		// re-validated for the record, and the 3xx itself is returned.
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if err := g.CheckURL(req.URL.String()); err != nil {
				return err
			}
			return http.ErrUseLastResponse
		},
	}
	rc := retryablehttp.NewClient()
	rc.HTTPClient = hc
	rc.Logger = nil // attempts are recorded by the dispatcher; URLs may carry secrets
	rc.RetryMax = 0 // the schedule is ours, and durable
	rc.CheckRetry = func(context.Context, *http.Response, error) (bool, error) { return false, nil }
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return &Sender{client: rc, now: time.Now}
}

// Deliver makes one POST attempt. It never follows redirects. It does not
// re-run CheckURL (the Dispatcher does); the dialer refuses blocked
// addresses regardless.
func (s *Sender) Deliver(ctx context.Context, r Request) Result {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, r.URL, r.Body)
	if err != nil {
		return Result{Err: errors.New("invalid request URL")}
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "soisnode-webhook/1")
	start := time.Now()
	resp, err := s.client.Do(req)
	res := Result{Latency: time.Since(start)}
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		res.Err = scrub(err)
		return res
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, ResponseLimit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	res.Status = resp.StatusCode
	res.Response = Printable(head)
	res.Gone = resp.StatusCode == http.StatusGone
	res.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), s.now())
	return res
}

// scrub drops the URL (which may carry a token) from a transport error.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var be *BlockedError
	if errors.As(err, &be) {
		return be
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("timeout")
	}
	return err
}

// Printable makes b safe for a TEXT column: valid UTF-8, no NUL bytes.
func Printable(b []byte) string {
	b = bytes.ReplaceAll(b, []byte{0}, nil)
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
