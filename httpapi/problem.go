package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/errs"
)

// Problem is an RFC 9457 problem detail, the body of every error response.
// The budget fields are set on 402 responses.
type Problem struct {
	Type     string              `json:"type,omitempty" doc:"A URI reference identifying the problem type" example:"about:blank"`
	Title    string              `json:"title,omitempty" doc:"Short summary of the problem type" example:"Payment Required"`
	Status   int                 `json:"status,omitempty" doc:"HTTP status code" example:"402"`
	Detail   string              `json:"detail,omitempty" doc:"Explanation of this occurrence" example:"daily budget of $5.00 is spent"`
	Instance string              `json:"instance,omitempty" doc:"URI reference of this occurrence"`
	Errors   []*huma.ErrorDetail `json:"errors,omitempty" doc:"Validation errors"`

	Budget      string `json:"budget,omitempty" doc:"Which budget is spent: daily, monthly or total" enum:"daily,monthly,total"`
	LimitUSD    string `json:"limit_usd,omitempty" doc:"The budget's limit in USD (decimal string)"`
	SpentUSD    string `json:"spent_usd,omitempty" doc:"Spent in the budget's window, in USD"`
	ReservedUSD string `json:"reserved_usd,omitempty" doc:"Held for calls in flight, in USD"`
	ResetsAt    string `json:"resets_at,omitempty" doc:"When the budget resets (RFC 3339, UTC); absent for the total budget"`

	headers http.Header // sent with the problem (Retry-After of a 503)
}

// GetHeaders implements huma.HeadersError.
func (p *Problem) GetHeaders() http.Header { return p.headers }

// Error implements error.
func (p *Problem) Error() string { return p.Detail }

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType implements huma.ContentTypeFilter.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// statusOf is THE table from error kinds to HTTP statuses.
var statusOf = map[errs.Kind]int{
	errs.Malformed:     http.StatusBadRequest,
	errs.Invalid:       http.StatusUnprocessableEntity,
	errs.Unauthorized:  http.StatusUnauthorized,
	errs.Forbidden:     http.StatusForbidden,
	errs.NotFound:      http.StatusNotFound,
	errs.Conflict:      http.StatusConflict,
	errs.TooLarge:      http.StatusRequestEntityTooLarge,
	errs.Unprocessable: http.StatusUnprocessableEntity,
	errs.BudgetSpent:   http.StatusPaymentRequired,
	errs.RateLimited:   http.StatusTooManyRequests,
	errs.Unavailable:   http.StatusServiceUnavailable,
	errs.Internal:      http.StatusInternalServerError,
}

func newProblem(status int, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// problemFor maps any error from the domain to a problem. Internal errors
// are logged in full and shown as a bare "internal error".
func problemFor(log *slog.Logger, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	kind := errs.KindOf(err)
	if kind == errs.Internal {
		log.Error("internal error", "err", err)
	}
	prob := newProblem(statusOf[kind], errs.Message(err))
	var e *errs.Error
	if errors.As(err, &e) && kind == errs.BudgetSpent {
		str := func(k string) string { s, _ := e.Detail[k].(string); return s }
		prob.Budget, prob.LimitUSD, prob.SpentUSD = str("budget"), str("limit_usd"), str("spent_usd")
		prob.ReservedUSD, prob.ResetsAt = str("reserved_usd"), str("resets_at")
	}
	return prob
}

// installProblems makes Huma's own errors (validation, body too large,
// malformed JSON) use Problem too. huma.NewError is a package variable,
// so it is set once per process: several nodes may be built concurrently
// in one process (tests, a multi-node testbed) while others serve.
func installProblems() { problemsOnce.Do(setProblems) }

var problemsOnce sync.Once

func setProblems() {
	huma.NewError = func(status int, msg string, es ...error) huma.StatusError {
		// Huma refuses a body of MaxBodyBytes or more; name the largest
		// body that is accepted.
		var limit int64
		if n, _ := fmt.Sscanf(msg, "request body is too large limit=%d bytes", &limit); status == http.StatusRequestEntityTooLarge && n == 1 {
			msg = fmt.Sprintf("request body is too large: the limit is %d bytes", limit-1)
		}
		// Huma says "validation failed" also of a body it could not parse
		// at all; say what is wrong with it (errors[] has the detail).
		if msg == "validation failed" {
			switch status {
			case http.StatusBadRequest:
				msg = "malformed request body: not valid JSON"
			case http.StatusUnsupportedMediaType:
				msg = "unsupported Content-Type: send application/json"
			}
		}
		p := newProblem(status, msg)
		for _, e := range es {
			var d *huma.ErrorDetail
			if errors.As(e, &d) {
				c := *d
				c.Value = echoed(c.Value)
				p.Errors = append(p.Errors, &c)
			} else if e != nil {
				p.Errors = append(p.Errors, &huma.ErrorDetail{Message: e.Error()})
			}
		}
		return p
	}
}

// maxEchoed is the most of a caller's value, as JSON, that a validation
// error repeats back: the location and message say what was wrong, and a
// 60 KB message or a whole 1 MB body need not travel back with them.
const maxEchoed = 256

// echoed is the value a validation error shows: v itself when short, a
// long string cut to maxEchoed bytes (on a character boundary) and ended
// with "…", and nothing for any other value too long to show.
func echoed(v any) any {
	if s, ok := v.(string); ok {
		if len(s) <= maxEchoed {
			return s
		}
		i := maxEchoed
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return s[:i] + "…"
	}
	if b, err := json.Marshal(v); err != nil || len(b) > maxEchoed {
		return nil
	}
	return v
}

// problemWriter turns the plain-text errors of the router itself (no
// route: 404; a route without this method: 405, its Allow header kept)
// into problem+json like every other error.
type problemWriter struct {
	http.ResponseWriter
	done bool
}

// ProblemWriter wraps w so that the router's own plain-text errors (no
// route: 404; a route without the request's method: 405) are written as
// problem+json like every other error.
func ProblemWriter(w http.ResponseWriter) http.ResponseWriter {
	return &problemWriter{ResponseWriter: w}
}

func (w *problemWriter) WriteHeader(code int) {
	if w.done {
		return
	}
	if code < 400 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.done = true
	h := w.ResponseWriter.Header()
	h.Del("Content-Length")
	h.Del("X-Content-Type-Options")
	h.Set("Content-Type", "application/problem+json")
	w.ResponseWriter.WriteHeader(code)
	detail := "no such resource"
	if code == http.StatusMethodNotAllowed {
		detail = "method not allowed; allowed: " + h.Get("Allow")
	}
	_ = json.NewEncoder(w.ResponseWriter).Encode(newProblem(code, detail))
}

func (w *problemWriter) Write(b []byte) (int, error) {
	if w.done {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
