package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Status is a check's verdict.
type Status string

// Verdicts. SKIP always carries the reason the check could not run.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Result is a verdict with the evidence behind it (status code, the matching log line, the error).
type Result struct {
	Name     string
	Status   Status
	Evidence string
}

// Check is one thing a live stack must do, as data: a name, what it proves, and how to run it.
type Check struct {
	Name   string
	Proves string
	Run    func(ctx context.Context, e *Env) Result
}

// Env is what checks run against. Everything that touches the world or the clock is a field, so tests can
// script it.
type Env struct {
	Runner     Runner
	Kubeconfig string // path of a kubeconfig file; passed explicitly to every kubectl call
	Spec       Spec

	Now     func() time.Time
	Nonce   func() string
	Resolve func(ctx context.Context, host string) ([]string, error)
	Sleep   func(ctx context.Context, d time.Duration) error

	// LogPolls and PollInterval bound how long a check waits for a log line to appear: proxies flush access
	// logs on a timer, so the line for a request just made can lag by a second or more.
	LogPolls     int
	PollInterval time.Duration
}

// NewEnv returns an Env that runs commands with runner and uses the real clock and resolver.
func NewEnv(runner Runner, kubeconfig string, spec Spec) *Env {
	return &Env{
		Runner:     runner,
		Kubeconfig: kubeconfig,
		Spec:       spec,
		Now:        time.Now,
		Nonce:      randomNonce,
		Resolve: func(ctx context.Context, host string) ([]string, error) {
			return net.DefaultResolver.LookupHost(ctx, host)
		},
		Sleep:        sleep,
		LogPolls:     10,
		PollInterval: 2 * time.Second,
	}
}

// Checks returns the checks for the stack's path.
func Checks(spec Spec) ([]Check, error) {
	switch spec.Path {
	case PathOllama:
		return OllamaChecks(), nil
	case PathSquid:
		return SquidChecks(), nil
	default:
		return nil, fmt.Errorf("no checks for path %q", spec.Path)
	}
}

// Summary counts verdicts, one per printed line. Stopped says why checks were left unrun: "interrupted" (a
// signal) or "timed out" (the run's deadline); "" when every check ran.
type Summary struct {
	Results []Result
	Passed  int
	Failed  int
	Skipped int
	Stopped string
}

// OK is true when nothing failed and every check ran.
func (s Summary) OK() bool { return s.Failed == 0 && s.Stopped == "" }

// Why a run stopped early, as printed.
const (
	StoppedInterrupted = "interrupted"
	StoppedTimedOut    = "timed out"
)

// RunAll runs checks in order, printing one line per check as it finishes and a summary at the end. Once ctx is
// done (a signal, or the run's timeout) the remaining checks are not started: each gets a SKIP line saying why,
// counted like every other line.
func RunAll(ctx context.Context, e *Env, checks []Check, w io.Writer) Summary {
	var sum Summary
	for _, c := range checks {
		var r Result
		if sum.Stopped = stopped(ctx); sum.Stopped != "" {
			r = Result{Name: c.Name, Status: Skip, Evidence: "not run: " + sum.Stopped}
		} else {
			r = runOne(ctx, e, c)
		}
		sum.Results = append(sum.Results, r)
		switch r.Status {
		case Pass:
			sum.Passed++
		case Skip:
			sum.Skipped++
		default:
			sum.Failed++
		}
		fmt.Fprintf(w, "%-4s  %-15s  %s\n", r.Status, r.Name, r.Evidence)
	}
	// A deadline or signal during the last check stops the run too; its FAIL line says what it was doing.
	sum.Stopped = stopped(ctx)
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped", sum.Passed, sum.Failed, sum.Skipped)
	if sum.Stopped != "" {
		fmt.Fprintf(w, " (%s)", sum.Stopped)
	}
	fmt.Fprintln(w)
	return sum
}

func stopped(ctx context.Context) string {
	switch err := ctx.Err(); {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return StoppedTimedOut
	default:
		return StoppedInterrupted
	}
}

// runOne turns a panicking check into a FAIL (its deferred cleanups have run by then) so one bug cannot hide
// the other checks' verdicts.
func runOne(ctx context.Context, e *Env, c Check) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Status: Fail, Evidence: fmt.Sprintf("check panicked: %v", p)}
		}
		r.Name = c.Name
	}()
	return c.Run(ctx, e)
}

func pass(format string, args ...any) Result {
	return Result{Status: Pass, Evidence: fmt.Sprintf(format, args...)}
}

func fail(format string, args ...any) Result {
	return Result{Status: Fail, Evidence: fmt.Sprintf(format, args...)}
}

func skip(format string, args ...any) Result {
	return Result{Status: Skip, Evidence: fmt.Sprintf(format, args...)}
}

func randomNonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
