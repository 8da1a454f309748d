package runner

import "syscall"

// sysProcAttr puts a node in its own process group (killed as a group) and
// has the kernel kill it if the runner dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
