package testkit

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/egress-mesh/egress-mesh/internal/conformance"
)

var upstream struct {
	once    sync.Once
	schemas *conformance.Schemas
	crds    *conformance.CRDSet
	err     error
}

// Upstream returns the sha256-verified schema files and every pinned CRD, loaded once per test binary.
// Missing files fail the test (with the hint to run `make crds`), never skip it.
func Upstream(t testing.TB) (*conformance.Schemas, *conformance.CRDSet) {
	t.Helper()
	upstream.once.Do(func() {
		upstream.schemas, upstream.err = conformance.LocateSchemas()
		if upstream.err == nil {
			upstream.crds, upstream.err = conformance.LoadCRDs(upstream.schemas.CRDFiles...)
		}
	})
	require.NoError(t, upstream.err)
	return upstream.schemas, upstream.crds
}

// CRDErrors validates one custom object (apiVersion, kind, metadata, spec...) as kube-apiserver would on
// create: pruned (unknown) fields, OpenAPI schema, CEL rules. A kind no pinned CRD defines is an error.
func CRDErrors(t testing.TB, manifest map[string]any) []error {
	t.Helper()
	_, crds := Upstream(t)
	// Through JSON, as the provider sends it: numbers, nested maps and lists in their wire form.
	data, err := json.Marshal(manifest)
	require.NoError(t, err)
	u := &unstructured.Unstructured{}
	require.NoError(t, u.UnmarshalJSON(data))
	return crds.Validate(u)
}

// AssertValidAgainstCRDs asserts every manifest is accepted by its pinned upstream CRD (see CRDErrors).
func AssertValidAgainstCRDs(t testing.TB, manifests ...map[string]any) {
	t.Helper()
	require.NotEmpty(t, manifests, "nothing to validate")
	for _, m := range manifests {
		assert.Empty(t, CRDErrors(t, m), "%v %v", m["kind"], m["metadata"])
	}
}

// ValuesErrors checks Helm values against the chart's pinned values.yaml with conformance.CheckValues: a
// path the chart does not have is an error (Helm would silently ignore it).
func ValuesErrors(t testing.TB, chart, version string, values map[string]any) []error {
	t.Helper()
	s, _ := Upstream(t)
	_, errs := conformance.CheckValues(s, chart, version, values)
	return errs
}

// AssertValuesInChart asserts every value path exists in the chart's pinned values.yaml (see ValuesErrors).
func AssertValuesInChart(t testing.TB, chart, version string, values map[string]any) {
	t.Helper()
	assert.Empty(t, ValuesErrors(t, chart, version, values), "chart %s@%s", chart, version)
}

// ChartDefaults returns a chart's pinned values.yaml (e.g. to compare a value the component relies on).
func ChartDefaults(t testing.TB, chart, version string) map[string]any {
	t.Helper()
	s, _ := Upstream(t)
	p, ok := s.ChartValues[chart+"@"+version]
	require.True(t, ok, "no pinned values.yaml for chart %s@%s", chart, version)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &out))
	return out
}

// RequireRejected is the negative control of a check: errs is not empty and, together, mentions every
// want (a field path, a value, a reason), so the check is shown to fail for the right reason.
func RequireRejected(t testing.TB, errs []error, want ...string) {
	t.Helper()
	require.NotEmpty(t, errs, "expected a rejection mentioning %q", want)
	var text strings.Builder
	for _, e := range errs {
		text.WriteString(e.Error() + "\n")
	}
	for _, w := range want {
		require.Contains(t, text.String(), w)
	}
}

// JSON renders a value as JSON, for substring checks over a whole object.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
