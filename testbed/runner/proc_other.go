//go:build !linux

package runner

import "syscall"

// sysProcAttr puts a node in its own process group (killed as a group).
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
