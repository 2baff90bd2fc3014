package authz

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// notesObject returns the object of a kind from the YAML block of notes/resources.md "Ollama path, corrected":
// the expected values come from the verified notes, not from the code under test.
func notesObject(t *testing.T, kind string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(shared, "notes", "resources.md"))
	require.NoError(t, err)
	section := strings.SplitN(string(raw), "## Ollama path", 2)[1]
	block := strings.SplitN(strings.SplitN(section, "```yaml\n", 2)[1], "```", 2)[0]
	for _, doc := range strings.Split(block, "\n---\n") {
		var obj map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &obj))
		if obj["kind"] == kind {
			return obj
		}
	}
	t.Fatalf("no %s in the notes", kind)
	return nil
}

// dig walks nested maps and lists ("spec", "listeners", 0, ...).
func dig(t *testing.T, v any, path ...any) any {
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
		}
	}
	return v
}
