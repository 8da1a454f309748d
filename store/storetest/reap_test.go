package storetest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/soisnode/soisnode/testbed/poll"
)

// TestReap: a running cluster whose owner process is gone is stopped and
// its folder removed, and so is a template folder of a dead owner and one
// whose owner's pid now names another process; a folder whose owner runs,
// an unmarked one and a folder not this package's are left.
func TestReap(t *testing.T) {
	if FindPGBin() == "" {
		t.Fatalf("PostgreSQL server binaries not found in %v (apt-get install -y postgresql)", pgBinDirs)
	}
	// Its own parent, traversable by the postgres user when run as root
	// (t.TempDir's folders are not).
	parent, err := os.MkdirTemp("", "soisreap-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}

	dead := deadPID(t)
	mark := func(dir, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	folder := func(name string) string {
		t.Helper()
		dir := filepath.Join(parent, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}

	// A cluster started by this process, then marked as a dead process's.
	c, err := startClusterIn(parent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop) // if the reap fails
	serverPID := postmasterPID(t, c.dir)
	mark(c.dir, strconv.Itoa(dead)+"\n")

	// A cluster whose owner (this process) runs.
	live, err := startClusterIn(parent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Stop)

	deadTmpl := folder("soistest-tmpl-dead")
	mark(deadTmpl, strconv.Itoa(dead))
	reused := folder("soistest-tmpl-reused")
	mark(reused, strconv.Itoa(os.Getpid())+" 1") // this pid, started at another time
	unmarked := folder("soistest-pg-unmarked")
	other := folder("other-dead")
	mark(other, strconv.Itoa(dead))

	removed, err := Reap(parent)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{c.dir, deadTmpl, reused}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	for _, dir := range want {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", dir, err)
		}
	}
	// The server removes its pid file just before it exits, and is a
	// zombie until its parent (init) collects it.
	if !poll.Until(10*time.Second, func() bool { return !processAlive(serverPID) }) {
		t.Errorf("the dead owner's server (pid %d) still runs", serverPID)
	}
	for _, dir := range []string{live.dir, unmarked, other} {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s was touched: %v", dir, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, live.URL)
	if err != nil {
		t.Fatalf("the live owner's cluster: %v", err)
	}
	_ = conn.Close(ctx)
}

// TestMarkOwner: this process's own mark reads as alive.
func TestMarkOwner(t *testing.T) {
	dir := t.TempDir()
	if err := markOwner(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), strconv.Itoa(os.Getpid())+" ") || !ownerAlive(b) {
		t.Fatalf("mark %q (alive %v), want this pid and its start time, alive", b, ownerAlive(b))
	}
	if ownerAlive([]byte(strconv.Itoa(deadPID(t)))) {
		t.Fatal("a dead pid reads as alive")
	}
}

// deadPID is the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// postmasterPID is the pid of the server running the cluster in dir.
func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
