package controlplane

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CRDDir and ChartMirror on a layout of their own (the real checkout may or may not have ../shared): a fake
// repository root with a sibling shared/ and a cache, each directory added in turn.
func TestMaterialPrefersSharedThenCache(t *testing.T) {
	t.Setenv(EnvShared, "")
	base := t.TempDir()
	root := filepath.Join(base, "egress-mesh")
	require.NoError(t, os.MkdirAll(root, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+rootModule+"\n\ngo 1.25\n"), 0o644))
	cache := filepath.Join(base, "cache")
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Chdir(root)

	// Neither: the error names both places and the fix.
	_, err := ChartMirror()
	require.ErrorContains(t, err, "run `make crds`")
	assert.ErrorContains(t, err, filepath.Join(base, "shared", "helm-charts"))
	assert.ErrorContains(t, err, filepath.Join(cache, "egress-mesh", "helm-charts"))
	_, err = CRDDir("gateway-api", "v1.4.0")
	require.ErrorContains(t, err, "run `make crds`")
	assert.ErrorContains(t, err, filepath.Join(cache, "egress-mesh", "schemas", "crds", "gateway-api", "v1.4.0"))

	// The cache `make crds` fills.
	cachedCharts := filepath.Join(cache, "egress-mesh", "helm-charts")
	cachedCRDs := filepath.Join(cache, "egress-mesh", "schemas", "crds", "gateway-api", "v1.4.0")
	require.NoError(t, os.MkdirAll(cachedCharts, 0o755))
	require.NoError(t, os.MkdirAll(cachedCRDs, 0o755))
	assertMaterial(t, cachedCharts, cachedCRDs)

	// ../shared comes first once it has the directory; a shared/ without it falls through to the cache.
	require.NoError(t, os.MkdirAll(filepath.Join(base, "shared", "notes"), 0o755))
	assertMaterial(t, cachedCharts, cachedCRDs)
	sharedCharts := filepath.Join(base, "shared", "helm-charts")
	sharedCRDs := filepath.Join(base, "shared", "crds", "gateway-api", "v1.4.0")
	require.NoError(t, os.MkdirAll(sharedCharts, 0o755))
	require.NoError(t, os.MkdirAll(sharedCRDs, 0o755))
	assertMaterial(t, sharedCharts, sharedCRDs)

	// $EGRESS_MESH_SHARED is the only place looked at when set: no fallback to ../shared or the cache.
	env := filepath.Join(base, "elsewhere")
	t.Setenv(EnvShared, env)
	_, err = ChartMirror()
	require.ErrorContains(t, err, "(tried "+filepath.Join(env, "helm-charts")+");")
	require.NoError(t, os.MkdirAll(filepath.Join(env, "helm-charts"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(env, "crds", "gateway-api", "v1.4.0"), 0o755))
	assertMaterial(t, filepath.Join(env, "helm-charts"), filepath.Join(env, "crds", "gateway-api", "v1.4.0"))
}

func assertMaterial(t *testing.T, charts, crds string) {
	t.Helper()
	got, err := ChartMirror()
	require.NoError(t, err)
	assert.Equal(t, charts, got)
	got, err = CRDDir("gateway-api", "v1.4.0")
	require.NoError(t, err)
	assert.Equal(t, crds, got)
}
