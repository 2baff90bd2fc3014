package controlplane

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/controlplane/proctest"
)

// TestBinaryPinsMatchToolsModules keeps the cache names Start looks for equal to what the build script derives
// from the tools modules; otherwise bumping a pin would silently keep running the old binaries.
func TestBinaryPinsMatchToolsModules(t *testing.T) {
	assert.Equal(t, KubeAPIServerVersion, proctest.RequiredVersion(t, filepath.Join("..", ".."), "kube-apiserver", "k8s.io/kubernetes"))
	assert.Equal(t, EtcdVersion, proctest.RequiredVersion(t, filepath.Join("..", ".."), "kube-apiserver", "go.etcd.io/etcd/server/v3"))
}

// TestBinaryPathsMatchScript checks the script prints the very paths Start resolves, under a throw-away cache
// holding placeholder binaries so nothing is built.
func TestBinaryPathsMatchScript(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(EnvKubeAPIServer, "")
	t.Setenv(EnvEtcd, "")
	dir := filepath.Join(cache, "egress-mesh", "bin")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, name := range []string{"kube-apiserver-" + KubeAPIServerVersion, "etcd-" + EtcdVersion} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755))
	}

	out, err := exec.Command("bash", filepath.Join("..", "..", "hack", "controlplane-binaries.sh")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	apiserver, err := binary(EnvKubeAPIServer, "kube-apiserver", KubeAPIServerVersion)
	require.NoError(t, err)
	etcd, err := binary(EnvEtcd, "etcd", EtcdVersion)
	require.NoError(t, err)
	assert.Contains(t, strings.Split(string(out), "\n"), EnvKubeAPIServer+"="+apiserver)
	assert.Contains(t, strings.Split(string(out), "\n"), EnvEtcd+"="+etcd)
	assert.Contains(t, string(out), "cached", "placeholders exist, so nothing may be built")
}

func TestBinaryRejectsNonExecutable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "etcd")
	require.NoError(t, os.WriteFile(path, []byte("not a program"), 0o644))
	t.Setenv(EnvEtcd, path)
	_, err := binary(EnvEtcd, "etcd", EtcdVersion)
	require.ErrorContains(t, err, "not found or not executable")

	require.NoError(t, os.Chmod(path, 0o755))
	_, err = binary(EnvEtcd, "etcd", EtcdVersion)
	require.NoError(t, err)
}
