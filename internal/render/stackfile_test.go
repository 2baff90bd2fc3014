package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stack file key without a namespace is the project's: the Pulumi CLI rewrites `path: envoy` to
// `egress-mesh:path` (workspace.stackConfigNamespacedWithProject), so render reads and refuses it the same way,
// and an unknown unnamespaced key is refused like a namespaced one. Another package's key is not ours.
func TestUnnamespacedStackKeysAreTheProjects(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile("../../Pulumi.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	stackFile := "config:\n  path: envoy\n  squidmode: docker\n  kubernetes:context: elsewhere\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.t.yaml"), []byte(stackFile), 0o644))

	raw, err := LoadStack(dir, "t")
	require.NoError(t, err)
	assert.Equal(t, "envoy", raw.Values["path"])
	assert.Equal(t, "docker", raw.Values["squidmode"])
	assert.NotContains(t, raw.Values, "context")

	_, err = RunStack(dir, "t", true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `config egress-mesh:path = "envoy" must be one of: ollama, squid`)
	assert.Contains(t, err.Error(), `config egress-mesh:squidmode is not a key of this program (did you mean squidMode?)`)
}
