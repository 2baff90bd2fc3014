package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/stacks"
	"github.com/egress-mesh/egress-mesh/versions"
)

func readme(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	return string(data)
}

// The README's config reference lists every key with its real type and default.
func TestReadmeDocumentsEveryConfigKey(t *testing.T) {
	text := readme(t)
	for _, k := range stacks.Keys {
		def := "—"
		if k.Default != "" {
			def = "`" + k.Default + "`"
		}
		typ := k.Type
		if k.Secrecy == stacks.SecretRequired {
			typ += " (secret)"
		}
		assert.Contains(t, text, fmt.Sprintf("| `%s` | %s | %s |", k.Name, typ, def), "README row for %s", k.Name)
	}
}

// The figures in the README are what a render of each stack says today.
func TestReadmeFiguresMatchTheRender(t *testing.T) {
	text := readme(t)
	for _, stack := range stackNames(t) {
		r := rendered(t, stack, false)
		row := fmt.Sprintf("| %d | %d | %d | %d |", len(r.Rec.All()), len(r.Objects()), len(r.Releases()), r.Rec.LongestChain())
		found := false
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "| `"+stack+"`") && strings.HasSuffix(line, row) {
				found = true
			}
		}
		assert.True(t, found, "README figures for %s should end with %s", stack, row)
	}
}

// CI runs the README's test command.
func TestCIRunsTheReadmeTestCommand(t *testing.T) {
	assert.Contains(t, readme(t), "make test")
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	require.NoError(t, err)
	assert.Contains(t, string(ci), "make test")
}

// The destroy section's count of Istio CRDs left on an existing cluster is the number the pinned base chart
// marks `helm.sh/resource-policy: keep` (its crd-all.gen.yaml, from the shared dir or the `make crds` cache).
func TestReadmeCountsTheIstioCRDsDestroyKeeps(t *testing.T) {
	dir, err := controlplane.CRDDir("istio", versions.Istio)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, "crd-all.gen.yaml"))
	require.NoError(t, err)
	kept := strings.Count(string(data), `"helm.sh/resource-policy": keep`)
	require.Greater(t, kept, 0)
	assert.Contains(t, readme(t), fmt.Sprintf("(%d CRDs at the pinned Istio %s)", kept, versions.Istio))
}
