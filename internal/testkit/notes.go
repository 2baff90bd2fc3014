package testkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// NotesObject returns the object of a kind from the ```yaml block of a section of the verified notes
// (shared/notes/resources.md), the section whose "## " heading starts with section (e.g. "Ollama path"):
// expected values come from the notes, not from the code under test.
func NotesObject(t testing.TB, section, kind string) map[string]any {
	t.Helper()
	dir, err := controlplane.SharedDir()
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(dir, "notes", "resources.md"))
	require.NoError(t, err)
	_, body, found := strings.Cut(string(raw), "\n## "+section)
	require.True(t, found, "no section %q in the notes", section)
	body, _, _ = strings.Cut(body, "\n## ")
	_, block, found := strings.Cut(body, "```yaml\n")
	require.True(t, found, "no yaml block in the notes' section %q", section)
	block, _, _ = strings.Cut(block, "```")
	for _, doc := range strings.Split(block, "\n---\n") {
		var obj map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &obj))
		if obj["kind"] == kind {
			return obj
		}
	}
	t.Fatalf("no %s in the notes' section %q", kind, section)
	return nil
}

// Dig walks nested maps and lists: a string indexes a map, an int a list ("spec", "listeners", 0, ...).
func Dig(t testing.TB, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.Truef(t, ok, "at %v: not a map: %v", p, v)
			v = m[k]
		case int:
			l, ok := v.([]any)
			require.Truef(t, ok, "at %v: not a list: %v", p, v)
			require.Greater(t, len(l), k)
			v = l[k]
		default:
			t.Fatalf("path element %v is neither a string nor an int", p)
		}
	}
	return v
}
