// Package storetest gives tests real databases: a migrated SQLite file and,
// on the same test, a migrated PostgreSQL database. PostgreSQL comes from
// TEST_DATABASE_URL or, when that is unset, from a throw-away cluster this
// package starts with the Debian server binaries and removes afterwards.
package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Cluster is a PostgreSQL server started for tests.
type Cluster struct {
	URL  string // admin URL (database "postgres")
	dir  string
	bin  string
	user string
}

var pgBinDirs = []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"}

// FindPGBin returns the folder of initdb/pg_ctl, or "".
func FindPGBin() string {
	for _, d := range pgBinDirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// StartCluster initialises and starts a throw-away cluster listening on
// 127.0.0.1 with fsync off. Stop removes it. It first reaps the clusters
// of test processes that died without stopping theirs (see Reap).
func StartCluster() (*Cluster, error) {
	reapStale()
	return startClusterIn(os.TempDir())
}

// startClusterIn starts a cluster in a new folder under parent, marked
// with this process as its owner.
func startClusterIn(parent string) (*Cluster, error) {
	bin := FindPGBin()
	if bin == "" {
		return nil, fmt.Errorf("storetest: PostgreSQL server binaries not found in %v (apt-get install -y postgresql), and TEST_DATABASE_URL is unset", pgBinDirs)
	}
	dir, err := os.MkdirTemp(parent, "soistest-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if err := markOwner(dir); err != nil {
		c.Stop()
		return nil, err
	}
	asRoot := os.Geteuid() == 0
	if asRoot {
		c.user = "postgres"
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("storetest: running as root needs the postgres user: %w", err)
		}
		if out, err := exec.Command("chown", u.Username+":", dir).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("storetest: chown %s: %v: %s", dir, err, out)
		}
		_ = os.Chmod(dir, 0o700)
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-A", "trust", "--no-sync", "-U", "postgres", "-E", "UTF8", "-D", data); err != nil {
		c.Stop()
		return nil, fmt.Errorf("storetest: initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		c.Stop()
		return nil, err
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", port, dir)
	if out, err := c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		logText, _ := os.ReadFile(filepath.Join(dir, "log"))
		c.Stop()
		return nil, fmt.Errorf("storetest: pg_ctl start: %v: %s %s", err, out, logText)
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

func (c *Cluster) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, tool)
	var cmd *exec.Cmd
	if c.user != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.user, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	return cmd.CombinedOutput()
}

// Stop stops the server and removes its folder.
func (c *Cluster) Stop() {
	if c == nil || c.dir == "" {
		return
	}
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		_, _ = c.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
	}
	_ = os.RemoveAll(c.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var (
	adminOnce sync.Once
	adminURL  string
	adminErr  error
	started   *Cluster
)

// AdminURL returns the URL of a PostgreSQL server for tests: TEST_DATABASE_URL,
// or a cluster started on first use (stopped by Main).
func AdminURL() (string, error) {
	adminOnce.Do(func() {
		if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
			adminURL = u
			return
		}
		started, adminErr = StartCluster()
		if adminErr == nil {
			adminURL = started.URL
		}
	})
	return adminURL, adminErr
}

// WithDatabase swaps the database name in a PostgreSQL URL.
func WithDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin
	}
	u.Path = "/" + name
	return u.String()
}

// NewDatabaseName returns a fresh, valid database name.
func NewDatabaseName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "soistest_" + strings.ToLower(hex.EncodeToString(b[:])) + fmt.Sprint(time.Now().UnixNano()%1000)
}
