package conformance

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// A pinned version is pinned whole: every CRD and chart file in a version directory the lock names is locked, so
// a file of the pinned release cannot go unverified. (shared/ also keeps other versions, e.g. the previous pins
// and Gateway API v1.5.1 for later; the lock names none of their directories.)
func TestLockCoversEveryFileOfThePinnedVersions(t *testing.T) {
	s, _ := loaded(t)
	versionDirs := map[string]bool{}
	for p := range s.Files {
		versionDirs[strings.Join(strings.Split(p, "/")[:3], "/")] = true // crds|charts/<project>/<version>
	}
	var onDisk, locked []string
	for dir := range versionDirs {
		require.NoError(t, filepath.WalkDir(filepath.Join(s.Dir, dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) == ".yaml" {
				rel, _ := filepath.Rel(s.Dir, p)
				onDisk = append(onDisk, filepath.ToSlash(rel))
			}
			return err
		}))
	}
	for p := range s.Files {
		locked = append(locked, p)
	}
	assert.ElementsMatch(t, onDisk, locked)
	// Gateway API 12, kgateway 8, Kyverno 12, Istio 1 (15 CRDs in one file), agentgateway 4.
	assert.Len(t, s.CRDFiles, 37)
	assert.Contains(t, s.ChartValues, "kyverno@3.9.0")
	assert.NotContains(t, s.ChartValues, "crds@3.9.0", "subchart values are not charts of their own")
}

func copyTree(t *testing.T, src, dst string, entries []LockEntry) {
	t.Helper()
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Path))
		require.NoError(t, err)
		p := filepath.Join(dst, e.Path)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
}

func TestLocateSchemasVerifiesSHA256(t *testing.T) {
	s, _ := loaded(t)
	root, err := controlplane.RepoRoot()
	require.NoError(t, err)
	entries, err := ReadLock(filepath.Join(root, LockFile))
	require.NoError(t, err)

	dir := t.TempDir()
	copyTree(t, s.Dir, dir, entries)
	t.Setenv("EGRESS_MESH_SHARED", dir)
	got, err := LocateSchemas()
	require.NoError(t, err, "an intact copy is accepted (control)")
	assert.Equal(t, dir, got.Dir)

	victim := filepath.Join(dir, "charts/istiod/1.30.3/values.yaml")
	f, err := os.OpenFile(victim, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("\nnewKey: true\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = LocateSchemas()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "charts/istiod/1.30.3/values.yaml: sha256")
	assert.Contains(t, err.Error(), "make crds")

	require.NoError(t, os.Remove(victim))
	_, err = LocateSchemas()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make crds")
}

func TestLocateSchemasPrefersCacheAndNeverSkipsSilently(t *testing.T) {
	t.Setenv("EGRESS_MESH_SHARED", "")
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	// An empty cache directory exists: it is chosen and found incomplete (no fallback to ../shared).
	require.NoError(t, os.MkdirAll(filepath.Join(cache, "egress-mesh", "schemas"), 0o755))
	_, err := LocateSchemas()
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(cache, "egress-mesh", "schemas"))
	assert.Contains(t, err.Error(), "make crds")

	t.Setenv("EGRESS_MESH_SHARED", filepath.Join(cache, "missing"))
	_, err = LocateSchemas()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make crds")
}
