package testbed

// Helpers for benchmarks that compare soisnode with a baseline in the same
// run (docs/benchmarks.md): a load driver that interleaves contenders, an
// HTTP poster for POST /api/agent, and resident-memory readings from
// /proc.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// StandardMessage is the request every benchmark sends: the README's first
// example.
const StandardMessage = "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"

// StandardBody is the JSON body of POST /api/agent with StandardMessage.
var StandardBody = []byte(`{"message":"` + StandardMessage + `","metadata":{"source":"bench"}}`)

// Contender is one side of a comparison: Op performs one operation (one
// request, one signature) and returns an error when it did not succeed.
type Contender struct {
	Name string
	Op   func(ctx context.Context) error
}

// Result is what one contender achieved.
type Result struct {
	Name    string
	Ops     int
	Elapsed time.Duration
	Rounds  []time.Duration // Elapsed, round by round (Race)
	Per     []int           // operations, round by round (Race)
}

// MedianNsPerOp is the median over the rounds of the time per operation:
// like NsPerOp, but a burst of load from elsewhere during one round does
// not move it. Without rounds it is NsPerOp.
func (r Result) MedianNsPerOp() float64 {
	if len(r.Rounds) == 0 || len(r.Rounds) != len(r.Per) {
		return r.NsPerOp()
	}
	var v []float64
	for i, d := range r.Rounds {
		if r.Per[i] > 0 {
			v = append(v, float64(d.Nanoseconds())/float64(r.Per[i]))
		}
	}
	return median(v)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// OpsPerSec is the contender's throughput.
func (r Result) OpsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// NsPerOp is the contender's wall time per operation (with clients
// working in parallel, not the latency of one operation).
func (r Result) NsPerOp() float64 {
	if r.Ops == 0 {
		return 0
	}
	return float64(r.Elapsed.Nanoseconds()) / float64(r.Ops)
}

// Race runs every contender for n operations in total with the given
// number of parallel clients, split into rounds: in each round the
// contenders run one after another, n/rounds operations each, and the
// order rotates every round. Drift in the machine's speed (other
// processes, thermal limits, a database growing) therefore falls on all
// contenders alike, and the ratio of their throughputs is what to read.
func Race(ctx context.Context, n, clients, rounds int, cs ...Contender) ([]Result, error) {
	if n < 1 {
		n = 1
	}
	rounds = max(1, min(rounds, n))
	res := make([]Result, len(cs))
	for i, c := range cs {
		res[i].Name = c.Name
	}
	for r := range rounds {
		ops := n / rounds
		if r == rounds-1 {
			ops = n - ops*(rounds-1)
		}
		for k := range cs {
			i := (r + k) % len(cs)
			d, err := Load(ctx, ops, clients, cs[i].Op)
			if err != nil {
				return res, fmt.Errorf("%s: %w", cs[i].Name, err)
			}
			res[i].Ops += ops
			res[i].Elapsed += d
			res[i].Rounds = append(res[i].Rounds, d)
			res[i].Per = append(res[i].Per, ops)
		}
	}
	return res, nil
}

// Ratio is a's throughput relative to b's, two results of one Race: the
// median over the rounds of b's time divided by a's (in a round both made
// the same number of operations, back to back). The median of per-round
// ratios shrugs off a burst of load from elsewhere that hit one round,
// which the ratio of totals does not. Without rounds it is the ratio of
// the totals' throughputs.
func Ratio(a, b Result) float64 {
	if len(a.Rounds) == 0 || len(a.Rounds) != len(b.Rounds) {
		if b.OpsPerSec() == 0 {
			return 0
		}
		return a.OpsPerSec() / b.OpsPerSec()
	}
	rs := make([]float64, len(a.Rounds))
	for i := range rs {
		rs[i] = b.Rounds[i].Seconds() / a.Rounds[i].Seconds()
	}
	return median(rs)
}

// Load calls op n times from `clients` goroutines and returns how long
// that took. The first error stops the load and is returned.
func Load(ctx context.Context, n, clients int, op func(ctx context.Context) error) (time.Duration, error) {
	clients = max(1, min(clients, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := op(ctx); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), firstErr
}

// NewHTTPClient returns a client for load on loopback that keeps one idle
// connection per parallel client, so requests reuse connections instead
// of measuring TCP handshakes.
func NewHTTPClient(clients int) *http.Client {
	return &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        clients * 2,
			MaxIdleConnsPerHost: clients * 2,
			IdleConnTimeout:     time.Minute,
		},
	}
}

// Poster sends POST /api/agent with fixed credentials and body.
type Poster struct {
	Client *http.Client
	URL    string // the server's base URL
	Creds  Creds
	Body   []byte // StandardBody when nil
}

// Post sends one message and requires 202 Accepted.
func (p Poster) Post(ctx context.Context) error {
	body := p.Body
	if body == nil {
		body = StandardBody
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/api/agent", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.Creds.Token)
	req.Header.Set("X-Api-Key", p.Creds.APIKey)
	resp, err := p.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("POST /api/agent = %d %s", resp.StatusCode, b)
	}
	return nil
}

// Mem is a process's resident memory, in bytes, from /proc/<pid>/status.
type Mem struct {
	RSS  int64 // VmRSS: resident now
	Peak int64 // VmHWM: the high-water mark of VmRSS
	Anon int64 // RssAnon: the anonymous part of RSS (heap, stacks)
	File int64 // RssFile: the file-backed part (the binary's pages in use)
}

// MB converts bytes to MiB for reports.
func MB(b int64) float64 { return float64(b) / (1 << 20) }

// ReadMem reads VmRSS, VmHWM, RssAnon and RssFile of pid (0: this process).
func ReadMem(pid int) (Mem, error) {
	f, err := os.Open(procPath(pid, "status"))
	if err != nil {
		return Mem{}, err
	}
	defer f.Close()
	var m Mem
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch name {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		case "RssAnon":
			dst = &m.Anon
		case "RssFile":
			dst = &m.File
		}
		if !ok || dst == nil {
			continue
		}
		fields := strings.Fields(rest) // "12345 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			return Mem{}, fmt.Errorf("testbed: unexpected %s line %q", name, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return Mem{}, err
		}
		*dst = kb << 10
	}
	if err := sc.Err(); err != nil {
		return Mem{}, err
	}
	if m.RSS == 0 {
		return Mem{}, errors.New("testbed: no VmRSS in " + procPath(pid, "status"))
	}
	return m, nil
}

// ResetPeak sets pid's VmHWM back to its current VmRSS (Linux
// clear_refs value 5), so a later ReadMem reports the peak since now.
func ResetPeak(pid int) error {
	return os.WriteFile(procPath(pid, "clear_refs"), []byte("5"), 0)
}

// PeakReporter is the part of testing.B that ReportPeak uses.
type PeakReporter interface {
	ReportMetric(n float64, unit string)
}

// ReportPeak reports this process's peak resident memory, VmHWM, as
// "peak-RSS-MB"; call ResetPeak(0) when the measured part begins.
func ReportPeak(b PeakReporter) {
	if m, err := ReadMem(0); err == nil {
		b.ReportMetric(MB(m.Peak), "peak-RSS-MB")
	}
}

// ReadCPU is the CPU time (user and system) pid has used so far (0: this
// process), from /proc/<pid>/stat, in the kernel's 10 ms ticks (USER_HZ is
// 100 on Linux). The difference of two readings over a load run, divided
// by the work done, is the process's CPU per operation: unlike latency and
// throughput it hardly depends on what else the machine is running.
func ReadCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// the fields after its closing parenthesis start at field 3 (state).
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("testbed: unexpected %s", procPath(pid, "stat"))
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("testbed: short %s", procPath(pid, "stat"))
	}
	const tick = 10 * time.Millisecond // 1/USER_HZ
	var sum time.Duration
	for _, v := range f[11:13] { // utime (field 14), stime (field 15)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("testbed: %s: %w", procPath(pid, "stat"), err)
		}
		sum += time.Duration(n) * tick
	}
	return sum, nil
}

func procPath(pid int, file string) string {
	if pid == 0 {
		return "/proc/self/" + file
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + file
}

// PostWait sends one message with ?wait=seconds and requires the turn's
// result: 200 with status "completed". It returns the time the caller
// waited for it.
func (p Poster) PostWait(ctx context.Context, seconds int) (time.Duration, error) {
	body := p.Body
	if body == nil {
		body = StandardBody
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/api/agent?wait="+strconv.Itoa(seconds), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.Creds.Token)
	req.Header.Set("X-Api-Key", p.Creds.APIKey)
	resp, err := p.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	d := time.Since(start)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"status":"completed"`)) {
		return d, fmt.Errorf("POST /api/agent?wait=%d = %d %s", seconds, resp.StatusCode, b)
	}
	return d, nil
}
