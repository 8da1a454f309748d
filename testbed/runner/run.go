package runner

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace/contacts"
)

// Options are how a scenario is run.
type Options struct {
	Scale   string // "small" (default) or "full"
	Out     string // report folder; default ./testbed-out/<scenario>-<timestamp>
	Binary  string // a built soisnode; default: go build ./cmd/soisnode into Out/bin
	Command string // the command line that ran this, for the report
	// PostgresAdmin is a PostgreSQL server URL for postgres nodes; default
	// TEST_DATABASE_URL, else a throw-away cluster (store/storetest).
	PostgresAdmin string
	Progress      io.Writer // live progress; nil: none
	TTY           bool      // Progress is a terminal: redraw one line in place
	// KeepDatabases leaves the PostgreSQL databases behind for inspection.
	KeepDatabases bool
}

// group is the nodes sharing one database: one workspace, one master key.
type group struct {
	url   string
	db    *store.DB
	creds creds
	ws    string
	procs []*Proc
}

type run struct {
	spec    *Spec
	opts    Options
	procs   map[string]*Proc
	groupOf map[string]*group
	model   *fakeModel
	recv    *receiver
	callers map[string]*caller
	pg      *postgres
	rep     *Report
	step    atomic.Value // string: what runs now, for progress
	ready   atomic.Bool  // setup is done: callers may be read by progress
}

// Run runs spec and writes its report into opts.Out. The report says
// whether the scenario passed; the error is for a run that could not be
// carried out (setup, a step, or the context canceled). Every process it
// started is stopped before it returns.
func Run(ctx context.Context, spec *Spec, opts Options) (*Report, error) {
	if opts.Scale == "" {
		opts.Scale = "small"
	}
	if opts.Scale != "small" && opts.Scale != "full" {
		return nil, fmt.Errorf("runner: scale %q, want small or full", opts.Scale)
	}
	if opts.Out == "" {
		opts.Out = filepath.Join("testbed-out", spec.Name+"-"+time.Now().UTC().Format("20060102-150405"))
	}
	if entries, err := os.ReadDir(opts.Out); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("runner: the report folder %s is not empty (a run's databases and logs would mix)", opts.Out)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	r := &run{spec: spec, opts: opts, procs: map[string]*Proc{}, groupOf: map[string]*group{}, callers: map[string]*caller{},
		pg: &postgres{admin: opts.PostgresAdmin}, rep: newReport(spec, opts)}
	r.rep.Dir = opts.Out
	rctx, cancel := context.WithCancel(ctx)
	err := r.execute(rctx)
	cancel() // callers still sending stop before their nodes do
	r.teardown(ctx.Err() != nil)
	r.rep.finish(err)
	if werr := r.rep.write(opts.Out); werr != nil && err == nil {
		err = werr
	}
	return r.rep, err
}

func (r *run) execute(ctx context.Context) error {
	stopProgress := r.progress(ctx)
	defer stopProgress()
	r.setStep("build")
	if err := r.build(ctx); err != nil {
		return err
	}
	r.setStep("setup")
	if err := r.setup(ctx); err != nil {
		return err
	}
	r.ready.Store(true)
	for i, st := range r.spec.Steps {
		r.setStep(fmt.Sprintf("step %d/%d: %s", i+1, len(r.spec.Steps), st.label()))
		t0 := time.Now()
		err := r.do(ctx, st)
		r.rep.Steps = append(r.rep.Steps, StepResult{Step: st.label(), Seconds: time.Since(t0).Seconds(), Error: errText(err)})
		if err != nil {
			return fmt.Errorf("%s: %w", r.step.Load(), err)
		}
	}
	r.setStep("checks")
	for _, c := range r.callers { // a caller no step waited for still finishes
		if err := c.settle(ctx, r.settleWithin()); err != nil {
			return err
		}
	}
	r.check(ctx)
	return nil
}

func (r *run) settleWithin() time.Duration {
	if r.opts.Scale == "full" {
		return 20 * time.Minute
	}
	return 3 * time.Minute
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// build builds the soisnode binary once (unless given).
func (r *run) build(ctx context.Context) error {
	if r.opts.Binary != "" {
		return nil
	}
	bin, err := Build(ctx, filepath.Join(r.opts.Out, "bin"))
	if err != nil {
		return err
	}
	r.opts.Binary = bin
	return nil
}

// Build builds ./cmd/soisnode into dir (run from within the repository)
// and returns the binary's absolute path.
func Build(ctx context.Context, dir string) (string, error) {
	bin, err := filepath.Abs(filepath.Join(dir, "soisnode"))
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/soisnode/soisnode/cmd/soisnode").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/soisnode (run from the repository): %w\n%s", err, out)
	}
	return bin, nil
}

// setup prepares databases, credentials, seed data, starts the nodes,
// peers them and creates the callers' keys.
func (r *run) setup(ctx context.Context) error {
	if m := r.spec.Model; m != nil {
		fm, err := startModel(m, r.opts.Out)
		if err != nil {
			return err
		}
		r.model = fm
	}
	rc, err := startReceiver(r.spec.Receiver)
	if err != nil {
		return err
	}
	r.recv = rc
	masterKeys := map[*group]string{}
	for _, n := range r.spec.Nodes {
		p, err := r.newProc(n)
		if err != nil {
			return err
		}
		g := r.groupOf[n.Share]
		if n.Share == "" {
			g = &group{}
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			masterKeys[g] = base64.StdEncoding.EncodeToString(key)
			if n.Database == "postgres" {
				if g.url, err = r.pg.database(ctx); err != nil {
					return err
				}
			} else {
				g.url = "sqlite://" + filepath.Join(r.opts.Out, n.Name, "sois.db")
			}
		}
		p.Env = append(p.Env, "SOIS_DATABASE_URL="+g.url, "SOIS_MASTER_KEY="+masterKeys[g])
		g.procs = append(g.procs, p)
		r.groupOf[n.Name] = g
		if n.Share == "" {
			out, err := p.Run(ctx, "init", "--json")
			if err != nil {
				return err
			}
			var ic struct {
				WorkspaceID string `json:"workspace_id"`
				Token       string `json:"token"`
				APIKey      string `json:"api_key"`
			}
			if err := json.Unmarshal(out, &ic); err != nil || ic.Token == "" {
				return fmt.Errorf("%s: init --json printed %q", n.Name, out)
			}
			g.creds, g.ws = creds{Token: ic.Token, APIKey: ic.APIKey}, ic.WorkspaceID
			if g.db, err = store.Open(ctx, g.url); err != nil {
				return fmt.Errorf("%s: open database: %w", n.Name, err)
			}
		}
	}
	for _, sd := range r.spec.Seed {
		if err := r.seed(ctx, sd); err != nil {
			return err
		}
	}
	for _, n := range r.spec.Nodes {
		if err := r.procs[n.Name].Start(ctx); err != nil {
			return err
		}
	}
	for _, p := range r.spec.Peers {
		args := []string{"peers", "add", r.procs[p.To].Base, "--yes"}
		if len(p.Scopes) > 0 {
			args = append(args, "--scopes", strings.Join(p.Scopes, ","))
		}
		if _, err := r.procs[p.From].Run(ctx, args...); err != nil {
			return err
		}
	}
	for _, cs := range r.spec.Callers {
		if err := r.newCaller(ctx, cs); err != nil {
			return err
		}
	}
	return nil
}

// newProc prepares a node's process: its folder, log and environment.
func (r *run) newProc(n NodeSpec) (*Proc, error) {
	dir, err := filepath.Abs(filepath.Join(r.opts.Out, n.Name))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	log, err := os.Create(filepath.Join(r.opts.Out, n.Name+".log"))
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	p := &Proc{Name: n.Name, Bin: r.opts.Binary, Base: "http://" + addr, Log: log}
	// Defaults a scenario may override in env: loopback peers and
	// receivers allowed, and a turn orphaned by a SIGKILL rescued within
	// seconds instead of minutes (docs/testbed.md).
	env := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": dir, "SOIS_DATA_DIR": filepath.Join(dir, "data"), "SOIS_LISTEN": addr,
		"SOIS_NODE_NAME": n.Name, "SOIS_URL": p.Base,
		"SOIS_PEER_ALLOW_HOSTS": "127.0.0.1", "SOIS_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
		"SOIS_TURN_TIMEOUT": "8s", "SOIS_RESCUE_AFTER": "9s",
	}
	if n.Provider == "fake" {
		for _, kv := range r.model.env() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	for k, v := range n.Env {
		env[k] = v
	}
	for k, v := range env {
		p.Env = append(p.Env, k+"="+v)
	}
	r.procs[n.Name] = p
	return p, nil
}

// seed writes the seed records straight into the node's database, owned
// by the workspace's first member.
func (r *run) seed(ctx context.Context, sd SeedSpec) error {
	g := r.groupOf[sd.Node]
	return g.db.InTx(ctx, func(tx store.Tx) error {
		var member string
		if err := tx.QueryRow(ctx, `SELECT id FROM members WHERE workspace_id = ? ORDER BY created_at LIMIT 1`, g.ws).Scan(&member); err != nil {
			return fmt.Errorf("seed %s: %w", sd.Node, err)
		}
		for _, c := range sd.Contacts {
			f := contacts.Fields{Name: c.Name, Email: c.Email, Company: c.Company, City: c.City}
			if _, err := contacts.Create(ctx, tx, g.ws, member, f, time.Now()); err != nil {
				return fmt.Errorf("seed %s: contact %s: %w", sd.Node, c.Name, err)
			}
		}
		return nil
	})
}

// newCaller creates the caller's integration key with `keys create`.
func (r *run) newCaller(ctx context.Context, cs CallerSpec) error {
	g := r.groupOf[cs.Nodes[0]]
	for _, n := range cs.Nodes[1:] {
		if r.groupOf[n] != g {
			return fmt.Errorf("caller %s: nodes %v do not share one database", cs.Name, cs.Nodes)
		}
	}
	c := newCaller(cs, nil, creds{}, "", r.opts.Scale)
	args := []string{"keys", "create", "--name", cs.Name, "--json"}
	if cs.Kind == "webhook" {
		args = append(args, "--response-url", r.recv.base+"/hooks/"+cs.Name)
	}
	if cs.BudgetTotal != "" {
		args = append(args, "--budget-total", cs.BudgetTotal)
	}
	out, err := r.procs[cs.Nodes[0]].Run(ctx, args...)
	if err != nil {
		return err
	}
	var k struct {
		ID            string `json:"id"`
		APIKey        string `json:"api_key"`
		WebhookSecret string `json:"webhook_secret"`
	}
	if err := json.Unmarshal(out, &k); err != nil || k.APIKey == "" {
		return fmt.Errorf("caller %s: keys create printed %q", cs.Name, out)
	}
	var procs []*Proc
	for _, n := range cs.Nodes {
		procs = append(procs, r.procs[n])
	}
	c.procs, c.creds, c.keyID = procs, creds{Token: g.creds.Token, APIKey: k.APIKey}, k.ID
	if cs.Kind == "webhook" {
		r.recv.add(cs.Name, k.WebhookSecret, func(ctx context.Context) (*verify.KeySet, error) {
			var last error
			for _, p := range procs {
				if !p.Running() {
					continue
				}
				ks, err := verify.Load(ctx, p.Base+"/.well-known/jwks.json", nil)
				if err == nil {
					return ks, nil
				}
				last = err
			}
			return nil, fmt.Errorf("no node's JWKS could be read: %v", last)
		}, c.count)
	}
	r.callers[cs.Name] = c
	return nil
}

// teardown stops every node (SIGTERM, then SIGKILL; at once with kill,
// after an interrupt) and the fakes; it runs on every path out of Run.
func (r *run) teardown(kill bool) {
	for _, p := range r.procs {
		if kill {
			p.Kill()
		} else if err := p.Stop(); err != nil {
			r.rep.Notes = append(r.rep.Notes, err.Error())
		}
		_ = p.Log.Close()
	}
	seen := map[*group]bool{}
	for _, g := range r.groupOf {
		if g.db != nil && !seen[g] {
			seen[g] = true
			_ = g.db.Close()
		}
	}
	if r.model != nil {
		r.rep.ModelCalls, _ = r.model.calls()
		r.model.close()
	}
	if r.recv != nil {
		r.recv.close()
	}
	r.pg.close(r.opts.KeepDatabases)
}

var errUnknownStep = errors.New("runner: unknown step")

func (r *run) setStep(s string) { r.step.Store(s) }
