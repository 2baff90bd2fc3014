package verify

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExecRunnerKeepsStreamsApart(t *testing.T) {
	out, err := ExecRunner{}.Run(context.Background(), "sh", "-c", "echo body; echo '< HTTP/1.1 200 OK' >&2")
	require.NoError(t, err)
	assert.Equal(t, "body\n", out.Stdout)
	assert.Equal(t, "< HTTP/1.1 200 OK\n", out.Stderr)
}

func TestExecRunnerReportsExitCodes(t *testing.T) {
	out, err := ExecRunner{}.Run(context.Background(), "sh", "-c", "echo 'curl: (7) Failed to connect' >&2; exit 7")
	var exitErr *ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, 7, exitErr.Code)
	assert.Equal(t, 7, exitCode(err))
	assert.Contains(t, err.Error(), "curl: (7) Failed to connect")
	assert.Contains(t, out.Stderr, "curl: (7)")
}

func TestExecRunnerTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ExecRunner{}.Run(ctx, "sleep", "10")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, -1, exitCode(err))
}

func TestExecRunnerMissingCommand(t *testing.T) {
	_, err := ExecRunner{}.Run(context.Background(), "egress-mesh-no-such-command")
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
	assert.Equal(t, -1, exitCode(err))
}

func TestExecRunnerAddsEnv(t *testing.T) {
	out, err := ExecRunner{Env: []string{"EGRESS_VERIFY_TEST=yes"}}.Run(context.Background(), "sh", "-c", "echo $EGRESS_VERIFY_TEST")
	require.NoError(t, err)
	assert.Equal(t, "yes\n", out.Stdout)
}
