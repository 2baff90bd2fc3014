package controlplane

import (
	"os"
	"time"
)

// What the engine runners (internal/engines) share with the control plane: one way to run a child in its own
// process group with its output in a log file, to find a version-keyed binary, and to pick loopback ports.

// Process is a running child; Stop kills its whole process group.
type Process struct{ p *process }

// StartProcess runs bin with args in its own process group, output to logPath.
func StartProcess(name, logPath, bin string, args ...string) (*Process, error) {
	p, err := startProcess(name, logPath, bin, args...)
	if err != nil {
		return nil, err
	}
	return &Process{p: p}, nil
}

// Stop kills the process group and waits for the child to exit.
func (p *Process) Stop() error { return p.p.stop() }

// LogTail is the end of the child's output.
func (p *Process) LogTail() string { return p.p.logTail() }

// Log is the child's whole output so far.
func (p *Process) Log() (string, error) {
	b, err := os.ReadFile(p.p.logPath)
	return string(b), err
}

// WaitOrExit sleeps one poll interval, failing once the child has exited or the deadline has passed.
func (p *Process) WaitOrExit(deadline time.Time) error { return p.p.waitOrExit(deadline) }
