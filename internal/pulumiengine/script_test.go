package pulumiengine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/internal/simcluster"
	"github.com/egress-mesh/egress-mesh/versions"
)

// TestToolchainPathsMatchScript checks that hack/toolchain-binaries.sh prints the very paths the harnesses
// resolve, under a throw-away cache holding placeholders so nothing is built (the script must say "cached" for
// each; a name or version out of step would make it start a build instead, which fails here without -mod=mod).
func TestToolchainPathsMatchScript(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	// An empty module cache, as on a machine whose binary cache survived but whose module cache did not: the stages
	// below come from the kwok module, which the script must then download (writable, so the temp dir can go).
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOFLAGS", "-modcacherw")
	dir := filepath.Join(cache, "egress-mesh", "bin")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	want := []struct{ env, name, version string }{
		{simcluster.EnvControllerManager, "kube-controller-manager", versions.Kubernetes},
		{simcluster.EnvScheduler, "kube-scheduler", versions.Kubernetes},
		{simcluster.EnvKwok, "kwok", versions.Kwok},
		{EnvPulumi, "pulumi", versions.PulumiCLI},
		{EnvLanguageGo, "pulumi-language-go", versions.PulumiLanguageGo},
		{EnvKubernetesProvider, "pulumi-resource-kubernetes", versions.PulumiKubernetesProviderBuild},
	}
	for _, b := range want {
		t.Setenv(b.env, "")
		require.NoError(t, os.WriteFile(filepath.Join(dir, b.name+"-"+b.version), []byte("#!/bin/sh\n"), 0o755))
	}

	out, err := exec.Command("bash", filepath.Join("..", "..", "hack", "toolchain-binaries.sh")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	lines := strings.Split(string(out), "\n")
	for _, b := range want {
		path, err := controlplane.Binary(b.env, b.name, b.version, buildHint)
		require.NoError(t, err)
		assert.Contains(t, lines, b.env+"="+path)
		assert.Contains(t, lines, b.name+" "+b.version+": cached "+path)
	}
	assert.NotContains(t, string(out), "building")

	// kwok v0.8.0 has no built-in stages: the script writes the module's five default ones beside the binary,
	// where internal/simcluster passes them with --config.
	stages, err := os.ReadFile(filepath.Join(dir, "kwok-"+versions.Kwok+".stages.yaml"))
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(string(stages), "\nkind: Stage\n"),
		"node initialize and heartbeat; pod ready, complete and delete")
}
