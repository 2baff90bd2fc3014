package conformance

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

var (
	shared struct {
		once    sync.Once
		schemas *Schemas
		crds    *CRDSet
		err     error
	}
)

// loaded returns the verified schemas and every pinned CRD, loaded once per test binary.
func loaded(t *testing.T) (*Schemas, *CRDSet) {
	t.Helper()
	shared.once.Do(func() {
		shared.schemas, shared.err = LocateSchemas()
		if shared.err == nil {
			shared.crds, shared.err = LoadCRDs(shared.schemas.CRDFiles...)
		}
	})
	require.NoError(t, shared.err)
	return shared.schemas, shared.crds
}

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	objs, err := DecodeYAML([]byte(y))
	require.NoError(t, err)
	require.Len(t, objs, 1)
	return objs[0]
}

func fixtures(t *testing.T, file string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	objs, err := DecodeYAML(data)
	require.NoError(t, err)
	return objs
}

func joined(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error())
		b.WriteString("\n")
	}
	return b.String()
}

// requireRejected: errs is non-empty and, together, mentions every want (object name, field path, reason).
func requireRejected(t *testing.T, errs []error, want ...string) {
	t.Helper()
	require.NotEmpty(t, errs, "expected a rejection mentioning %q", want)
	text := joined(errs)
	for _, w := range want {
		require.Contains(t, text, w)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}
