package testbed_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
)

// memRounds is how many load rounds BenchmarkMemory runs; resident memory
// is read after each, so growth under sustained load shows.
const memRounds = 4

// BenchmarkMemory starts the real binary, `soisnode serve` (built from
// ./cmd/soisnode, or SOIS_BENCH_BIN), as a child process on a fresh
// database with the default built-in local agent, and next to it the
// hand-written baseline server (./testbed/benchbase/cmd/benchbase, or
// SOIS_BENCH_BASE_BIN: benchbase.Baseline with the credential check, a
// binary that links nothing of soisnode). It reads each process's
// VmRSS and VmHWM from /proc/<pid>/status:
//
//   - idle: after start-up and a settle period with no traffic;
//   - under load: b.N POSTs /api/agent per process from parallel clients,
//     in memRounds rounds that alternate between the two processes; the
//     node's workers run the turns (creating the contacts) meanwhile.
//
// Run it with -benchtime=<requests>x (make bench uses 6000x).
//
// Metrics: node-ops/s, base-ops/s, ratio; node-idle-RSS-MB (target < 60)
// and its anonymous part node-idle-anon-MB (heap and stacks; the rest is
// the binary's own pages); peak-RSS-MB (the node's VmHWM under load);
// node-growth-MB (VmRSS after the last round minus after the middle one:
// flat is ≈ 0); and the same for the baseline (base-…).
func BenchmarkMemory(b *testing.B) {
	bin := buildBinary(b, "SOIS_BENCH_BIN", "github.com/soisnode/soisnode/cmd/soisnode")
	baseBin := buildBinary(b, "SOIS_BENCH_BASE_BIN", "github.com/soisnode/soisnode/testbed/benchbase/cmd/benchbase")
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchMemory(b, bin, baseBin, d) })
	}
}

func benchMemory(b *testing.B, bin, baseBin, dialect string) {
	ctx := context.Background()
	clients := benchClients()
	nodeProc := startNodeProcess(b, bin, storetest.URLTB(b, dialect))
	baseProc := startBaselineProcess(b, bin, baseBin, storetest.URLTB(b, dialect))
	procs := []*process{nodeProc, baseProc}

	time.Sleep(3 * time.Second) // settle: River's leader election and first maintenance runs
	for _, p := range procs {
		m := p.mem(b)
		p.idle, p.idleAnon = m.RSS, m.Anon
		if err := testbed.ResetPeak(p.cmd.Process.Pid); err != nil {
			b.Fatalf("reset peak RSS of %s: %v", p.name, err)
		}
	}
	hc := testbed.NewHTTPClient(clients)
	b.ResetTimer()
	for r := range memRounds {
		ops := b.N / memRounds
		if r == memRounds-1 {
			ops = b.N - ops*(memRounds-1)
		}
		for k := range procs {
			p := procs[(r+k)%len(procs)]
			d, err := testbed.Load(ctx, ops, clients, testbed.Poster{Client: hc, URL: p.url, Creds: p.creds}.Post)
			if err != nil {
				b.Fatalf("%s: %v", p.name, err)
			}
			p.ops += ops
			p.elapsed += d
			p.rounds = append(p.rounds, d)
			m := p.mem(b)
			if r == memRounds/2-1 {
				p.mid = m.RSS
			}
			p.end, p.peak = m.RSS, m.Peak
		}
	}
	b.StopTimer()
	n, base := nodeProc.result(), baseProc.result()
	b.ReportMetric(n.NsPerOp(), "ns/op")
	b.ReportMetric(n.OpsPerSec(), "node-ops/s")
	b.ReportMetric(base.OpsPerSec(), "base-ops/s")
	b.ReportMetric(testbed.Ratio(n, base), "ratio")
	b.ReportMetric(testbed.MB(nodeProc.idle), "node-idle-RSS-MB")
	b.ReportMetric(testbed.MB(nodeProc.idleAnon), "node-idle-anon-MB")
	b.ReportMetric(testbed.MB(nodeProc.peak), "peak-RSS-MB")
	b.ReportMetric(testbed.MB(nodeProc.end-nodeProc.mid), "node-growth-MB")
	b.ReportMetric(testbed.MB(baseProc.idle), "base-idle-RSS-MB")
	b.ReportMetric(testbed.MB(baseProc.peak), "base-peak-RSS-MB")
	b.ReportMetric(testbed.MB(baseProc.end-baseProc.mid), "base-growth-MB")
}

// process is a server started as a child process.
type process struct {
	name  string
	cmd   *exec.Cmd
	url   string
	creds testbed.Creds

	idle, idleAnon int64
	mid, end, peak int64
	ops            int
	elapsed        time.Duration
	rounds         []time.Duration
}

func (p *process) result() testbed.Result {
	return testbed.Result{Name: p.name, Ops: p.ops, Elapsed: p.elapsed, Rounds: p.rounds}
}

func (p *process) mem(b *testing.B) testbed.Mem {
	m, err := testbed.ReadMem(p.cmd.Process.Pid)
	if err != nil {
		b.Fatalf("%s: %v", p.name, err)
	}
	return m
}

// buildBinary is the binary named by the environment variable env, or
// the one built from the package pkg, installed (copied) into a temporary
// folder: how the kernel caches the file decides how many of its pages a
// process maps, and a binary fresh from the Go linker shows ~8 MB more
// file-backed RSS than the same bytes copied, as a release would be
// installed (docs/benchmarks.md).
func buildBinary(b *testing.B, env, pkg string) string {
	src := os.Getenv(env) // relative to the package folder, where go test runs
	if src == "" {
		src = filepath.Join(b.TempDir(), "build", filepath.Base(pkg))
		out, err := exec.Command("go", "build", "-o", src, pkg).CombinedOutput()
		if err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	dst := filepath.Join(b.TempDir(), filepath.Base(pkg))
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return dst
}

// childEnv is this process's environment without settings that would
// change what the child does (a real model, another database), plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SOIS_") || strings.HasPrefix(kv, "GEMINI_") || strings.HasPrefix(kv, "GOOGLE_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// initWorkspace runs `soisnode init --json` on url (which also migrates
// the database) and returns the credentials it prints.
func initWorkspace(b *testing.B, bin, url, dataDir string) testbed.Creds {
	b.Helper()
	cmd := exec.Command(bin, "init", "--json")
	cmd.Env = childEnv("SOIS_DATABASE_URL="+url, "SOIS_DATA_DIR="+dataDir)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("soisnode init: %v", err)
	}
	var c struct {
		WorkspaceID string `json:"workspace_id"`
		Token       string `json:"token"`
		APIKey      string `json:"api_key"`
		MemberID    string `json:"member_id"`
		KeyID       string `json:"key_id"`
	}
	if err := json.Unmarshal(out, &c); err != nil {
		b.Fatalf("soisnode init --json printed %q: %v", out, err)
	}
	return testbed.Creds{WorkspaceID: c.WorkspaceID, MemberID: c.MemberID, KeyID: c.KeyID, Token: c.Token, APIKey: c.APIKey}
}

func startNodeProcess(b *testing.B, bin, url string) *process {
	dir := b.TempDir()
	creds := initWorkspace(b, bin, url, dir)
	addr := freeAddr(b)
	cmd := exec.Command(bin, "serve")
	// One key sends every message faster than the local agent works them:
	// lift the backlog limits, which would answer 503 (by design).
	cmd.Env = childEnv("SOIS_DATABASE_URL="+url, "SOIS_DATA_DIR="+dir, "SOIS_LISTEN="+addr, "SOIS_MAX_BACKLOG=1000000000", "SOIS_MAX_QUEUED_PER_KEY=1000000000")
	return startProcess(b, "node", cmd, addr, creds, dir)
}

func startBaselineProcess(b *testing.B, bin, baseBin, url string) *process {
	dir := b.TempDir()
	creds := initWorkspace(b, bin, url, dir) // the same schema and credentials as the node's
	addr := freeAddr(b)
	cmd := exec.Command(baseBin, "-db", url, "-listen", addr)
	cmd.Env = childEnv()
	return startProcess(b, "base", cmd, addr, creds, dir)
}

// startProcess starts cmd (output to dir/<name>.log), waits until it
// answers GET /readyz, and stops it with SIGTERM when b ends.
func startProcess(b *testing.B, name string, cmd *exec.Cmd, addr string, creds testbed.Creds, dir string) *process {
	b.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logFile.Close() }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); ; {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			out, _ := os.ReadFile(logPath)
			b.Fatalf("%s exited before it was ready: %v\n%s", name, err, out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logPath)
			b.Fatalf("%s not ready after 60 s\n%s", name, out)
		}
	}
	return &process{name: name, cmd: cmd, url: url, creds: creds}
}

func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
