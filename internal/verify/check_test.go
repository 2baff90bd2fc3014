package verify

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fixed(status Status, evidence string) func(context.Context, *Env) Result {
	return func(context.Context, *Env) Result { return Result{Status: status, Evidence: evidence} }
}

func TestRunAllPrintsEachVerdictAndASummary(t *testing.T) {
	var out bytes.Buffer
	checks := []Check{
		{Name: "allowed", Run: fixed(Pass, `200 "Ollama is running"`)},
		{Name: "denied", Run: fixed(Fail, "got 200 without x-force-authorized, want 403")},
		{Name: "squid-log", Run: fixed(Skip, "existing proxy")},
	}
	sum := RunAll(context.Background(), testEnv(t, ollamaSpec(), newFake()), checks, &out)
	assert.Equal(t, "PASS  allowed          200 \"Ollama is running\"\n"+
		"FAIL  denied           got 200 without x-force-authorized, want 403\n"+
		"SKIP  squid-log        existing proxy\n"+
		"\n1 passed, 1 failed, 1 skipped\n", out.String())
	assert.Equal(t, 1, sum.Passed)
	assert.Equal(t, 1, sum.Failed)
	assert.Equal(t, 1, sum.Skipped)
	assert.False(t, sum.OK())
	require.Len(t, sum.Results, 3)
	assert.Equal(t, "denied", sum.Results[1].Name)
}

func TestRunAllOKOnlyWithoutFailures(t *testing.T) {
	checks := []Check{{Name: "a", Run: fixed(Pass, "")}, {Name: "b", Run: fixed(Skip, "why")}}
	sum := RunAll(context.Background(), testEnv(t, ollamaSpec(), newFake()), checks, &bytes.Buffer{})
	assert.True(t, sum.OK())
}

func TestRunAllTurnsAPanicIntoAFail(t *testing.T) {
	checks := []Check{
		{Name: "boom", Run: func(context.Context, *Env) Result { panic("nil map") }},
		{Name: "after", Run: fixed(Pass, "still ran")},
	}
	var out bytes.Buffer
	sum := RunAll(context.Background(), testEnv(t, ollamaSpec(), newFake()), checks, &out)
	assert.Equal(t, 1, sum.Failed)
	assert.Equal(t, 1, sum.Passed)
	assert.Contains(t, out.String(), "FAIL  boom             check panicked: nil map")
}

func TestRunAllStopsStartingChecksOnceInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	checks := []Check{
		{Name: "first", Run: func(context.Context, *Env) Result { cancel(); return Result{Status: Pass} }},
		{Name: "second", Run: func(context.Context, *Env) Result { ran = true; return Result{Status: Pass} }},
	}
	var out bytes.Buffer
	sum := RunAll(ctx, testEnv(t, ollamaSpec(), newFake()), checks, &out)
	assert.False(t, ran)
	assert.Equal(t, StoppedInterrupted, sum.Stopped)
	assert.False(t, sum.OK(), "an interrupted run proves nothing")
	assert.Contains(t, out.String(), "SKIP  second           not run: interrupted")
	assert.Contains(t, out.String(), "1 passed, 0 failed, 1 skipped (interrupted)", "the SKIP line is counted")
}

// A run that hits its deadline says so, not "interrupted", and counts the checks it never started.
func TestRunAllReportsATimeoutAsATimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	deadline, stop := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer stop()
	checks := []Check{{Name: "first", Run: fixed(Pass, "")}, {Name: "second", Run: fixed(Pass, "")}}
	var out bytes.Buffer
	sum := RunAll(deadline, testEnv(t, ollamaSpec(), newFake()), checks, &out)
	assert.Equal(t, StoppedTimedOut, sum.Stopped)
	assert.Equal(t, 2, sum.Skipped)
	assert.False(t, sum.OK())
	assert.Contains(t, out.String(), "SKIP  first            not run: timed out")
	assert.Contains(t, out.String(), "0 passed, 0 failed, 2 skipped (timed out)")
	assert.NotContains(t, out.String(), "interrupted")
}

// The deadline passing during the last check still marks the run as timed out.
func TestRunAllNoticesATimeoutDuringTheLastCheck(t *testing.T) {
	// Long enough that the check has surely started on a loaded machine (it then waits for the deadline).
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	checks := []Check{{Name: "only", Run: func(ctx context.Context, _ *Env) Result {
		<-ctx.Done()
		return Result{Status: Fail, Evidence: "kubectl: " + ctx.Err().Error()}
	}}}
	var out bytes.Buffer
	sum := RunAll(ctx, testEnv(t, ollamaSpec(), newFake()), checks, &out)
	assert.Equal(t, StoppedTimedOut, sum.Stopped)
	assert.Contains(t, out.String(), "0 passed, 1 failed, 0 skipped (timed out)")
}

func TestChecksPerPath(t *testing.T) {
	names := func(cs []Check) []string {
		var n []string
		for _, c := range cs {
			require.NotNil(t, c.Run)
			require.NotEmpty(t, c.Proves)
			n = append(n, c.Name)
		}
		return n
	}
	cs, err := Checks(ollamaSpec())
	require.NoError(t, err)
	assert.Equal(t, []string{"allowed", "denied", "retries", "bypass", "fail-closed", "l4-identity"}, names(cs))
	cs, err = Checks(squidSpec())
	require.NoError(t, err)
	assert.Equal(t, []string{"allowed", "denied", "squid-log", "ext-authz-log", "bypass", "squid-direct",
		"other-namespace", "fail-closed", "tls-connect"}, names(cs))
	_, err = Checks(Spec{Path: "nope"})
	require.Error(t, err)
}
