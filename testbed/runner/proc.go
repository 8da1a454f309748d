package runner

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Proc is one `soisnode serve` process of a node; a node may be started
// again after a kill or a stop.
type Proc struct {
	Name string
	Bin  string
	Env  []string
	Base string // http://127.0.0.1:port
	Log  *os.File

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("runner: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Run runs a CLI verb of the binary with the node's environment and
// returns its standard output.
func (p *Proc) Run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, p.Bin, args...)
	cmd.Env = p.Env
	cmd.Stderr = p.Log
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: soisnode %v: %w", p.Name, args, err)
	}
	return out, nil
}

// Start starts `soisnode serve` in its own process group and waits until
// /readyz answers 200.
func (p *Proc) Start(ctx context.Context) error {
	p.mu.Lock()
	if p.cmd != nil {
		p.mu.Unlock()
		return fmt.Errorf("%s: already running", p.Name)
	}
	cmd := exec.Command(p.Bin, "serve")
	cmd.Env = p.Env
	cmd.Stdout, cmd.Stderr = p.Log, p.Log
	cmd.SysProcAttr = sysProcAttr()
	fmt.Fprintf(p.Log, "=== testbed: start %s at %s\n", p.Name, time.Now().UTC().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		return fmt.Errorf("%s: start: %w", p.Name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	go func() { _ = cmd.Wait(); close(done) }()

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			p.forget(cmd)
			return fmt.Errorf("%s: serve exited before it was ready (see %s)", p.Name, p.Log.Name())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := http.Get(p.Base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s: not ready at %s within 60s", p.Name, p.Base)
}

func (p *Proc) forget(cmd *exec.Cmd) {
	p.mu.Lock()
	if p.cmd == cmd {
		p.cmd, p.done = nil, nil
	}
	p.mu.Unlock()
}

// Running reports whether the process is up.
func (p *Proc) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil
}

// Kill sends SIGKILL to the process group and waits for the process.
func (p *Proc) Kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	fmt.Fprintf(p.Log, "=== testbed: SIGKILL %s at %s\n", p.Name, time.Now().UTC().Format(time.RFC3339Nano))
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
	p.forget(cmd)
}

// Stop sends SIGTERM and waits up to 40 s for a graceful exit, then kills.
func (p *Proc) Stop() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	fmt.Fprintf(p.Log, "=== testbed: SIGTERM %s at %s\n", p.Name, time.Now().UTC().Format(time.RFC3339Nano))
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		p.forget(cmd)
		return nil
	case <-time.After(40 * time.Second):
		p.Kill()
		return fmt.Errorf("%s: did not stop within 40s of SIGTERM; killed", p.Name)
	}
}
