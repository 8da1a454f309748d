package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/soisnode/soisnode/testbed/loadgen"
)

// Generator sends load from a separate process, as a user measuring the
// node would: wrk when it is on PATH (closed loop only: wrk cannot pace
// requests; it checks bodies only for a spec with CheckInWrk), otherwise,
// and for open-loop runs and other checked bodies, the loadgen binary
// (./testbed/cmd/loadgen).
type Generator struct {
	Wrk     string // wrk's path; "" when it is not installed
	Loadgen string // the loadgen binary
	// Pin is a taskset CPU list the generator runs on ("" for none), the
	// other core than the server's.
	Pin string
}

// Pinning reports the CPUs for a server and its load generator: "0" and
// "1" on a machine with two or more CPUs and taskset installed, else none.
func Pinning() (server, load string) {
	if _, err := exec.LookPath("taskset"); err != nil || runtime.NumCPU() < 2 {
		return "", ""
	}
	return "0", "1"
}

// Spec is one load run.
type Spec struct {
	URL      string
	Header   http.Header
	Body     []byte
	Conns    int
	Duration time.Duration
	Rate     float64 // open loop when > 0 (always loadgen)
	Expect   int
	Contains string // a body every answer must contain (loadgen, unless CheckInWrk)
	// CheckInWrk lets wrk run a spec with Contains: a Lua response hook
	// checks each answer's status and body and counts the wrong ones.
	// Without it such a spec runs on loadgen, as before wrk could check.
	CheckInWrk bool
}

// Name says which generator a spec uses.
func (g Generator) Name(s Spec) string {
	if g.Wrk != "" && s.Rate == 0 && (s.Contains == "" || s.CheckInWrk) {
		return "wrk"
	}
	return "loadgen"
}

// Run runs spec and returns what the generator measured.
func (g Generator) Run(ctx context.Context, s Spec) (loadgen.Result, error) {
	if g.Name(s) == "wrk" {
		return g.wrk(ctx, s)
	}
	args := []string{"-url", s.URL, "-body", string(s.Body), "-c", strconv.Itoa(s.Conns), "-d", s.Duration.String(),
		"-expect", strconv.Itoa(s.Expect)}
	if s.Rate > 0 {
		args = append(args, "-rate", strconv.FormatFloat(s.Rate, 'f', 1, 64))
	}
	if s.Contains != "" {
		args = append(args, "-contains", s.Contains)
	}
	for k, vs := range s.Header {
		for _, v := range vs {
			args = append(args, "-H", k+": "+v)
		}
	}
	out, err := g.command(ctx, g.Loadgen, args...).Output()
	if err != nil {
		return loadgen.Result{}, fmt.Errorf("loadgen: %w: %s", err, stderr(err))
	}
	var r loadgen.Result
	if err := json.Unmarshal(out, &r); err != nil {
		return loadgen.Result{}, fmt.Errorf("loadgen printed %q: %w", out, err)
	}
	return r, nil
}

func (g Generator) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	if g.Pin != "" {
		return exec.CommandContext(ctx, "taskset", append([]string{"-c", g.Pin, bin}, args...)...)
	}
	return exec.CommandContext(ctx, bin, args...)
}

func stderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// wrk runs one closed-loop spec with wrk and a Lua script for the body.
func (g Generator) wrk(ctx context.Context, s Spec) (loadgen.Result, error) {
	dir, err := os.MkdirTemp("", "wrk")
	if err != nil {
		return loadgen.Result{}, err
	}
	defer os.RemoveAll(dir)
	var lua bytes.Buffer
	fmt.Fprintf(&lua, "wrk.method = \"POST\"\nwrk.body = %s\n", luaString(string(s.Body)))
	for k, vs := range s.Header {
		fmt.Fprintf(&lua, "wrk.headers[%s] = %s\n", luaString(k), luaString(strings.Join(vs, ", ")))
	}
	if s.Contains != "" {
		lua.WriteString(wrkCheck(s.Expect, s.Contains))
	}
	script := filepath.Join(dir, "post.lua")
	if err := os.WriteFile(script, lua.Bytes(), 0o600); err != nil {
		return loadgen.Result{}, err
	}
	secs := max(1, int(s.Duration.Round(time.Second).Seconds()))
	out, err := g.command(ctx, g.Wrk, "-t1", "-c"+strconv.Itoa(s.Conns), "-d"+strconv.Itoa(secs)+"s",
		"--latency", "-s", script, s.URL).Output()
	if err != nil {
		return loadgen.Result{}, fmt.Errorf("wrk: %w: %s", err, stderr(err))
	}
	return ParseWrk(string(out))
}

// wrkCheck is the Lua of a checked spec: each thread counts the answers
// wrk itself takes for good (status below 400) whose status is not expect
// (when set) or whose body lacks contains; done prints their sum as
// "Unexpected answers: N" (ParseWrk). wrk counts a status of 400 and
// above itself.
func wrkCheck(expect int, contains string) string {
	return fmt.Sprintf(`local threads = {}
function setup(thread) table.insert(threads, thread) end
unexpected = 0
function response(status, headers, body)
  if status < 400 and ((%d ~= 0 and status ~= %d) or not string.find(body, %s, 1, true)) then
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("unexpected") end
  io.write(string.format("Unexpected answers: %%d\n", n))
end
`, expect, expect, luaString(contains))
}

func luaString(s string) string {
	return strconv.Quote(s) // Go's escapes (\", \\, \n, \xNN) are valid Lua
}

var (
	wrkRequests = regexp.MustCompile(`(\d+) requests in ([\d.]+)(us|ms|s|m)`)
	wrkPct      = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkWrong    = regexp.MustCompile(`Unexpected answers: (\d+)`)
)

// ParseWrk reads wrk --latency output: requests, duration, the 50/90/99th
// percentiles; non-2xx answers, socket errors and the unexpected answers
// a checked spec's script counted (wrkCheck) count as errors.
func ParseWrk(out string) (loadgen.Result, error) {
	r := loadgen.Result{Generator: "wrk"}
	m := wrkRequests.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk: no request count in %q", out)
	}
	n, _ := strconv.Atoi(m[1])
	r.Seconds = wrkMS(m[2], m[3]) / 1000
	for _, p := range wrkPct.FindAllStringSubmatch(out, -1) {
		v := wrkMS(p[2], p[3])
		switch p[1] {
		case "50":
			r.P50 = v
		case "90":
			r.P90 = v
		case "99":
			r.P99 = v
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.Errors, _ = strconv.Atoi(m[1])
		r.FirstError = "non-2xx answers"
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, v := range m[1:] {
			k, _ := strconv.Atoi(v)
			r.Errors += k
		}
		r.FirstError = strings.TrimSpace(m[0])
	}
	if m := wrkWrong.FindStringSubmatch(out); m != nil {
		if k, _ := strconv.Atoi(m[1]); k > 0 {
			r.Errors += k
			r.FirstError = "answers with another status or without the expected body"
		}
	}
	r.Requests = n - r.Errors
	if r.Seconds > 0 {
		r.RPS = float64(r.Requests) / r.Seconds
	}
	return r, nil
}

func wrkMS(v, unit string) float64 {
	f, _ := strconv.ParseFloat(v, 64)
	switch unit {
	case "us":
		return f / 1000
	case "s":
		return f * 1000
	case "m":
		return f * 60000
	}
	return f
}
