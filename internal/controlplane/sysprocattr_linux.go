package controlplane

import "syscall"

// Pdeathsig kills the child if the test binary dies without running cleanups (go test -timeout panics, SIGKILL).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
