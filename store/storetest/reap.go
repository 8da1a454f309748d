package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// A test process killed by its timeout (go test -timeout) runs no cleanup:
// the PostgreSQL cluster it started keeps running and its folders stay in
// the temp folder. Each folder this package makes is therefore marked
// with its owner (the test process's pid and start time, in ownerFile);
// the next test process that starts reaps every marked folder whose owner
// is gone. A folder whose owner is alive, or that has no mark yet (its
// owner is between making it and marking it), is never touched: several
// test processes share the temp folder under make test.

// ownerFile is the name of the mark inside a folder.
const ownerFile = "owner"

// folderPrefixes are the temp folders this package makes.
var folderPrefixes = []string{"soistest-pg-", "soistest-tmpl-"}

var reapOnce sync.Once

// reapStale reaps the folders of dead test processes, once per process.
func reapStale() {
	reapOnce.Do(func() { _, _ = Reap(os.TempDir()) })
}

// markOwner writes this process's mark into dir. It is written whole
// (a rename), so a reaper never reads half of it.
func markOwner(dir string) error {
	mark := strconv.Itoa(os.Getpid())
	if st, ok := startTime(os.Getpid()); ok {
		mark += " " + st
	}
	tmp := filepath.Join(dir, ownerFile+".tmp")
	if err := os.WriteFile(tmp, []byte(mark+"\n"), 0o644); err != nil {
		return fmt.Errorf("storetest: mark %s: %w", dir, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ownerFile)); err != nil {
		return fmt.Errorf("storetest: mark %s: %w", dir, err)
	}
	return nil
}

// Reap stops and removes, under parent, each folder this package made
// whose owning test process is gone: its cluster (if any) is stopped as
// the user it runs as (pg_ctl stop -m immediate), then the folder is
// removed. It returns the folders it removed. A folder whose cluster is
// still running after the stop is left.
func Reap(parent string) ([]string, error) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil, fmt.Errorf("storetest: reap %s: %w", parent, err)
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !ours(e.Name()) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		mark, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil || ownerAlive(mark) {
			continue // unmarked (maybe being made), or its owner still runs
		}
		if !stopStale(dir) {
			continue
		}
		if err := os.RemoveAll(dir); err == nil {
			removed = append(removed, dir)
		}
	}
	return removed, nil
}

func ours(name string) bool {
	for _, p := range folderPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// ownerAlive says whether the process a mark names still runs. A mark it
// cannot read is taken as alive: nothing is reaped on a guess.
func ownerAlive(mark []byte) bool {
	fields := strings.Fields(string(mark))
	if len(fields) == 0 {
		return true
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return true
	}
	if !processAlive(pid) {
		return false
	}
	// The pid runs: it is the owner unless it was reused by a process
	// started at another time.
	if len(fields) > 1 {
		if st, ok := startTime(pid); ok && st != fields[1] {
			return false
		}
	}
	return true
}

// processAlive says whether pid exists (a process of another user, which
// signal 0 may not reach, exists too).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// startTime is the start time of pid in clock ticks since boot (field 22
// of /proc/<pid>/stat), which with the pid names one process.
func startTime(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	// The command (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(string(b[i+1:])) // from field 3 on
	if len(f) < 20 {
		return "", false
	}
	return f[19], true
}

// stopStale stops the cluster in dir, if one runs, as the user that owns
// its data folder, and says whether none runs now.
func stopStale(dir string) bool {
	data := filepath.Join(dir, "data")
	pidFile := filepath.Join(data, "postmaster.pid")
	if _, err := os.Stat(pidFile); err != nil {
		return true // no cluster here (a template folder), or never started
	}
	if bin := FindPGBin(); bin != "" {
		c := &Cluster{dir: dir, bin: bin, user: clusterUser(data)}
		_, _ = c.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
	}
	// pg_ctl removes the pid file when the server is stopped; one left by
	// a server that died is stale.
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return true
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	return err == nil && !processAlive(pid)
}

// clusterUser is the user to run pg_ctl as for the data folder data: ""
// (this process's user) when it owns the folder, else its owner by name
// (running as root, the postgres user; runuser needs a name).
func clusterUser(data string) string {
	fi, err := os.Stat(data)
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) == os.Geteuid() {
		return ""
	}
	u, err := user.LookupId(strconv.Itoa(int(st.Uid)))
	if err != nil {
		return ""
	}
	return u.Username
}
