package verify

import (
	"bytes"
	"context"
	"testing"

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
	assert.Equal(t, "PASS  allowed         200 \"Ollama is running\"\n"+
		"FAIL  denied          got 200 without x-force-authorized, want 403\n"+
		"SKIP  squid-log       existing proxy\n"+
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
	assert.Contains(t, out.String(), "FAIL  boom            check panicked: nil map")
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
	assert.True(t, sum.Interrupted)
	assert.False(t, sum.OK(), "an interrupted run proves nothing")
	assert.Contains(t, out.String(), "SKIP  second          not run: interrupted")
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
	assert.Equal(t, []string{"allowed", "denied", "retries", "l4-identity"}, names(cs))
	cs, err = Checks(squidSpec())
	require.NoError(t, err)
	assert.Equal(t, []string{"allowed", "denied", "squid-log", "ext-authz-log", "bypass"}, names(cs))
	_, err = Checks(Spec{Path: "nope"})
	require.Error(t, err)
}
