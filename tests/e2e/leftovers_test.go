//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/internal/verify"
	"github.com/egress-mesh/egress-mesh/versions"
)

// requireNothingLeft checks with the tools themselves, not Pulumi's state, that destroy removed the kind
// cluster, the Docker containers and the Ollama model volume. On an existing cluster (kubeconfig set), what
// must be left is exactly the Istio CRDs the base chart keeps.
func requireNothingLeft(ctx context.Context, t *testing.T, outs verify.Outputs, existingKubeconfig string) {
	if existingKubeconfig != "" {
		requireOnlyKeptIstioCRDs(ctx, t, existingKubeconfig)
		return
	}
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

// requireOnlyKeptIstioCRDs: the Istio CRDs left after destroy are exactly those the pinned base chart annotates
// `helm.sh/resource-policy: keep` (Helm, and so the provider, never deletes those).
func requireOnlyKeptIstioCRDs(ctx context.Context, t *testing.T, kubeconfigPath string) {
	dir, err := controlplane.CRDDir("istio", versions.Istio)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, "crd-all.gen.yaml"))
	require.NoError(t, err)
	var kept []string
	for _, doc := range strings.Split(string(data), "\n---") {
		if !strings.Contains(doc, `"helm.sh/resource-policy": keep`) {
			continue
		}
		for _, line := range strings.Split(doc, "\n") {
			if name, ok := strings.CutPrefix(line, "  name: "); ok && strings.HasSuffix(name, ".istio.io") {
				kept = append(kept, "customresourcedefinition.apiextensions.k8s.io/"+name)
				break
			}
		}
	}
	require.NotEmpty(t, kept)
	left := slices.DeleteFunc(lines(ctx, t, "kubectl", "--kubeconfig", kubeconfigPath, "get", "crd", "-o", "name"),
		func(s string) bool { return !strings.HasSuffix(s, ".istio.io") })
	slices.Sort(kept)
	slices.Sort(left)
	assert.Equal(t, kept, left, "after destroy on an existing cluster only the kept Istio CRDs remain (README, Destroy)")
}

// lines runs a command and returns its non-empty output lines.
func lines(ctx context.Context, t *testing.T, name string, args ...string) []string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	require.NoError(t, err, "%s %s", name, strings.Join(args, " "))
	return slices.DeleteFunc(strings.Split(string(out), "\n"), func(s string) bool { return strings.TrimSpace(s) == "" })
}
