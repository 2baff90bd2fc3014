package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Runner runs one external command. Checks only ever talk to the world through it, so tests script it.
type Runner interface {
	Run(ctx context.Context, name string, args ...string) (Output, error)
}

// Output is what a command printed. Stdout and stderr stay apart: curl -v writes the exchange to stderr and the
// body to stdout, and kubectl exec keeps the streams separate.
type Output struct {
	Stdout string
	Stderr string
}

// ExitError is a command that ran and exited non-zero. kubectl exec passes on the remote command's exit code,
// so for curl it is curl's (7 connection refused, 28 timeout, 56 reset).
type ExitError struct {
	Command string
	Code    int
	Stderr  string
}

func (e *ExitError) Error() string {
	msg := lastLine(e.Stderr)
	if msg == "" {
		return fmt.Sprintf("%s: exit code %d", e.Command, e.Code)
	}
	return fmt.Sprintf("%s: exit code %d: %s", e.Command, e.Code, msg)
}

// ExecRunner runs commands on this machine.
type ExecRunner struct {
	// Env, if set, is appended to the process environment (KUBECONFIG and the like never go here: checks pass
	// --kubeconfig explicitly so a stray variable cannot point them at another cluster).
	Env []string
}

// Run runs name with args; a context deadline kills it and reports context.DeadlineExceeded.
func (r ExecRunner) Run(ctx context.Context, name string, args ...string) (Output, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if len(r.Env) > 0 {
		cmd.Env = append(cmd.Environ(), r.Env...)
	}
	// kubectl exec may leave children holding the pipes; don't wait for them forever once killed.
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := Output{Stdout: stdout.String(), Stderr: stderr.String()}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return out, fmt.Errorf("%s: %w", name, ctxErr)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return out, &ExitError{Command: name, Code: exitErr.ExitCode(), Stderr: out.Stderr}
	}
	if err != nil {
		return out, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// exitCode is the exit code of err, or -1 when the command did not run to an exit (not found, timed out).
func exitCode(err error) int {
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	return -1
}

// lastLine is the last non-empty line of s, trimmed: the useful part of most tools' error output.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
