package testkit

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// notesCopies are the ```yaml blocks of the verified notes (shared/notes/resources.md) the tests compare with,
// copied into testdata so CI needs no checkout of the shared material; TestNotesCopiesMatchTheNotes keeps each
// copy equal to its section wherever the notes are at hand. Section: the start of the section's "## " heading.
var notesCopies = map[string]string{"Ollama path": "notes-ollama-path.yaml"}

// NotesObject returns the object of a kind from the yaml block of a section of the verified notes.
func NotesObject(t testing.TB, section, kind string) map[string]any {
	t.Helper()
	file, ok := notesCopies[section]
	require.True(t, ok, "no copy of the notes' section %q in internal/testkit/testdata", section)
	block, err := os.ReadFile(filepath.Join(testdataDir(), file))
	require.NoError(t, err)
	for _, doc := range strings.Split(string(block), "\n---\n") {
		var obj map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &obj))
		if obj["kind"] == kind {
			return obj
		}
	}
	t.Fatalf("no %s in the notes' section %q", kind, section)
	return nil
}

// NotesBlock is the yaml block of a section of notes (the text of resources.md).
func NotesBlock(notes, section string) (string, bool) {
	_, body, found := strings.Cut(notes, "\n## "+section)
	if !found {
		return "", false
	}
	body, _, _ = strings.Cut(body, "\n## ")
	_, block, found := strings.Cut(body, "```yaml\n")
	if !found {
		return "", false
	}
	block, _, _ = strings.Cut(block, "```")
	return block, true
}

// testdataDir is this package's testdata, wherever the test that calls NotesObject runs.
func testdataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
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
