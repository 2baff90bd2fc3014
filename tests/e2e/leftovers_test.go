//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// requireNothingLeft checks with the tools themselves, not Pulumi's state, that destroy removed the kind
// cluster, the Docker containers and the Ollama model volume.
func requireNothingLeft(ctx context.Context, t *testing.T, outs verify.Outputs) {
	require.NotEmpty(t, outs.ClusterName)
	assert.NotContains(t, lines(ctx, t, "kind", "get", "clusters"), outs.ClusterName, "kind cluster left behind")

	containers := lines(ctx, t, "docker", "ps", "-a", "--format", "{{.Names}}")
	gone := []string{outs.ClusterName + "-control-plane"}
	if outs.Path == verify.PathOllama {
		gone = append(gone, outs.Verify.OllamaContainer)
	}
	if l := outs.Verify.SquidLogs; l != nil && l.Kind == verify.SquidLogsDocker {
		gone = append(gone, l.Container)
	}
	for _, name := range gone {
		assert.NotContains(t, containers, name, "container left behind")
	}

	if outs.Path == verify.PathOllama {
		volumes := lines(ctx, t, "docker", "volume", "ls", "--format", "{{.Name}}")
		assert.NotContains(t, volumes, "ollama", "the ollama model volume was left behind")
	}
}

// lines runs a command and returns its non-empty output lines.
func lines(ctx context.Context, t *testing.T, name string, args ...string) []string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	require.NoError(t, err, "%s %s", name, strings.Join(args, " "))
	return slices.DeleteFunc(strings.Split(string(out), "\n"), func(s string) bool { return strings.TrimSpace(s) == "" })
}
