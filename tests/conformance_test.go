package tests

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/egress-mesh/egress-mesh/internal/conformance"
	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/internal/render"
)

// The proof without a cluster: every object every stack emits would be accepted, exactly as written, by the
// control plane of the pinned versions. Rendered in "deployed" mode so provider outputs (a container address)
// have realistic values rather than placeholders.

var (
	schemasOnce sync.Once
	schemas     *conformance.Schemas
	crdSet      *conformance.CRDSet
	schemasErr  error
)

// upstream locates the pinned CRD and chart files (cache from `make crds`, else ../shared, sha256-verified).
// Missing files fail the test with the message to run `make crds`: never a silent skip.
func upstream(t *testing.T) (*conformance.Schemas, *conformance.CRDSet) {
	t.Helper()
	schemasOnce.Do(func() {
		schemas, schemasErr = conformance.LocateSchemas()
		if schemasErr == nil {
			crdSet, schemasErr = conformance.LoadCRDs(schemas.CRDFiles...)
		}
	})
	require.NoError(t, schemasErr)
	return schemas, crdSet
}

// unstructuredObjects converts rendered objects for the validators, through JSON as the provider sends them.
func unstructuredObjects(t *testing.T, r *render.Result) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, o := range r.Objects() {
		data, err := json.Marshal(o.Manifest)
		require.NoError(t, err)
		u := &unstructured.Unstructured{}
		require.NoError(t, u.UnmarshalJSON(data), o.String())
		out = append(out, u)
	}
	return out
}

// Checks 1 and 2: custom objects against the upstream CRDs (structural schema, pruning, defaulting, OpenAPI,
// CEL), built-in objects decoded strictly into k8s.io/api types.
func TestConformanceObjectsMatchUpstreamSchemas(t *testing.T) {
	_, crds := upstream(t)
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			custom, builtin := 0, 0
			for _, obj := range unstructuredObjects(t, rendered(t, stack, false)) {
				gvk := obj.GroupVersionKind()
				switch {
				case crds.Has(gvk):
					custom++
					assert.Empty(t, crds.Validate(obj))
				case conformance.IsBuiltin(gvk):
					builtin++
					assert.Empty(t, conformance.ValidateBuiltin(obj))
				default:
					t.Errorf("%s %s/%s: neither a pinned CRD nor a built-in kind", gvk, obj.GetNamespace(), obj.GetName())
				}
			}
			t.Logf("%s: %d custom objects checked against CRDs, %d built-in objects decoded strictly", stack, custom, builtin)
			assert.Greater(t, custom, 5)
			assert.Greater(t, builtin, 3)
		})
	}
}

// Check 3: every Helm value path the program sets exists in that chart's values.yaml at the pinned version.
func TestConformanceHelmValuesExistInTheCharts(t *testing.T) {
	s, _ := upstream(t)
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			total := 0
			for _, rel := range rendered(t, stack, false).Releases() {
				checked, errs := conformance.CheckValues(s, rel.Chart, rel.Version, rel.Values)
				assert.Empty(t, errs, "%s (%s@%s)", rel.Resource, rel.Chart, rel.Version)
				total += checked
			}
			t.Logf("%s: %d Helm value paths checked", stack, total)
			assert.Greater(t, total, 3)
		})
	}
}

// Check 5, on the program's own output: break one rendered object the way a typo in a component would, and
// the CRD check must reject it (so the checks above can fail on what the program emits).
func TestConformanceRejectsABrokenRenderedObject(t *testing.T) {
	_, crds := upstream(t)
	for _, o := range unstructuredObjects(t, rendered(t, "dev", false)) {
		if o.GetKind() != "TrafficPolicy" {
			continue
		}
		typo := o.DeepCopy()
		retry, _, _ := unstructured.NestedMap(typo.Object, "spec", "retry")
		retry["attempt"] = retry["attempts"] // the misspelling the seed's notes warn about
		delete(retry, "attempts")
		require.NoError(t, unstructured.SetNestedMap(typo.Object, retry, "spec", "retry"))
		assert.NotEmpty(t, crds.Validate(typo), "a misspelt field must be reported as pruned")

		cel := o.DeepCopy()
		require.NoError(t, unstructured.SetNestedField(cel.Object, "30s", "spec", "retry", "perTryTimeout"))
		errs := crds.Validate(cel)
		require.NotEmpty(t, errs, "perTryTimeout = request timeout breaks a CEL rule")
		assert.Contains(t, errs[0].Error(), "perTryTimeout")
		return
	}
	t.Fatal("the dev stack renders no TrafficPolicy")
}

// Check 4: a real kube-apiserver v1.35.8 + etcd on loopback accepts every rendered object of every stack by
// server-side apply, after the pinned CRDs; a broken object is rejected by the server itself.
func TestConformanceRealAPIServerAcceptsEveryObject(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the real kube-apiserver check was skipped (run without -short, as CI does)")
	}
	s, _ := upstream(t)
	crds, err := controlplane.LoadYAML(s.CRDFiles...)
	require.NoError(t, err)

	start := time.Now()
	cp := controlplane.Start(t)
	t.Logf("control plane ready in %s", time.Since(start).Round(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	require.NoError(t, cp.ApplyCRDs(ctx, crds))
	t.Logf("%d CRDs established", len(crds))

	for _, stack := range stackNames(t) {
		objs := unstructuredObjects(t, rendered(t, stack, false))
		errs := cp.ApplyAll(ctx, objs)
		assert.Empty(t, errs, "stack %s", stack)
		t.Logf("%s: %d of %d objects accepted by kube-apiserver", stack, len(objs)-len(errs), len(objs))
	}

	// Negative control against the server: the same TrafficPolicy with its retry outliving the request.
	for _, o := range unstructuredObjects(t, rendered(t, "dev", false)) {
		if o.GetKind() == "TrafficPolicy" {
			bad := o.DeepCopy()
			bad.SetName("broken-retry")
			require.NoError(t, unstructured.SetNestedField(bad.Object, "45s", "spec", "retry", "perTryTimeout"))
			errs := cp.Apply(ctx, []*unstructured.Unstructured{bad})
			require.Len(t, errs, 1, "the API server must reject a retry that outlives the request")
			assert.True(t, strings.Contains(errs[0].Error(), "perTryTimeout"), errs[0].Error())
		}
	}
}
