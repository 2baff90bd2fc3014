package mesh

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

const chartType = "kubernetes:helm.sh/v4:Chart"

// runIstio builds Istio with a stand-in for the Gateway API CRDs as its dependency.
func runIstio(t *testing.T, dryRun bool) *recorder.Recorder {
	t.Helper()
	return testkit.Run(t, dryRun, func(ctx *pulumi.Context, target kube.Target) error {
		crds := testkit.StandIn(t, ctx, testCRDs)
		istio, err := NewIstio(ctx, "istio", &IstioArgs{Target: target, DependsOn: []pulumi.Resource{crds}})
		if err != nil {
			return err
		}
		// Consumers depend on the exported charts: check each field is the chart it claims to be.
		for name, r := range map[string]pulumi.Resource{
			"base": istio.Base, "istiod": istio.Istiod, "cni": istio.CNI, "ztunnel": istio.Ztunnel,
			"namespace": istio.Namespace,
		} {
			testkit.StandIn(t, ctx, "uses-"+name, pulumi.DependsOn([]pulumi.Resource{r}))
		}
		return nil
	})
}

// Expected coordinates, from notes/resources.md: Istio 1.30 (no "v"), Helm repo, namespace istio-system.
var istioCharts = []struct{ name, chart string }{
	{"istio-base", "base"},
	{"istio-istiod", "istiod"},
	{"istio-cni", "cni"},
	{"istio-ztunnel", "ztunnel"},
}

func TestIstioChartsCoordinates(t *testing.T) {
	rec := runIstio(t, false)
	require.Len(t, rec.OfType(chartType), 4)
	for _, c := range istioCharts {
		res := rec.Find(chartType, c.name)
		require.NotNil(t, res, c.name)
		assert.True(t, res.Remote, c.name)
		assert.Equal(t, c.chart, str(t, res, "chart"))
		assert.Equal(t, "1.30.3", str(t, res, "version"))
		assert.Equal(t, "https://istio-release.storage.googleapis.com/charts", str(t, res, "repositoryOpts.repo"))
		assert.Equal(t, "istio-system", str(t, res, "namespace"))
	}
	// Release names as in Istio's install docs (ztunnel's must be "ztunnel": istiod trusts that name).
	assert.Equal(t, "ztunnel", str(t, rec.Find(chartType, "istio-ztunnel"), "name"))
	assert.Equal(t, "istiod", str(t, rec.Find(chartType, "istio-istiod"), "name"))
}

func TestIstioNamespace(t *testing.T) {
	rec := runIstio(t, false)
	ns := rec.Find("kubernetes:core/v1:Namespace", "ns-istio-system")
	require.NotNil(t, ns)
	assert.Equal(t, "istio-system", str(t, ns, "metadata.name"))
	for _, c := range istioCharts {
		assert.True(t, rec.WaitsFor(rec.Find(chartType, c.name), ns), "%s must wait for its namespace", c.name)
	}
	assert.True(t, rec.WaitsFor(rec.Named("uses-namespace"), ns))
}

func TestIstioValues(t *testing.T) {
	rec := runIstio(t, false)
	values := func(name string) any { return rec.Find(chartType, name).Plain()["values"] }
	assert.Equal(t, map[string]any{}, values("istio-base"), "no defaultRevision override: it would drop istiod-default-validator")
	assert.Equal(t, map[string]any{
		"profile":    "ambient",
		"meshConfig": map[string]any{"accessLogFile": "/dev/stdout", "accessLogEncoding": "JSON"},
	}, values("istio-istiod"))
	assert.Equal(t, map[string]any{"profile": "ambient"}, values("istio-cni"))
	assert.Equal(t, map[string]any{"profile": "ambient"}, values("istio-ztunnel"))
}

// TestIstioValueKeysExistInCharts applies notes/resources.md's rules (conformance.CheckValues): Istio keeps
// defaults under `_internal_defaults_do_not_set`; `profile` is valid though undeclared; meshConfig is
// free-form and is checked against MeshConfig's field names instead.
func TestIstioValueKeysExistInCharts(t *testing.T) {
	rec := runIstio(t, false)
	for _, c := range istioCharts {
		values, _ := rec.Find(chartType, c.name).Plain()["values"].(map[string]any)
		testkit.AssertValuesInChart(t, c.chart, "1.30.3", values)
	}
}

// TestIstioValuesCheckCatchesMistakes proves the check above can fail: a misspelt key, an unknown
// MeshConfig field and the internal defaults key are each rejected.
func TestIstioValuesCheckCatchesMistakes(t *testing.T) {
	testkit.RequireRejected(t, testkit.ValuesErrors(t, "istiod", "1.30.3", map[string]any{"profle": "ambient"}),
		"values path profle: not in the chart's values.yaml")
	testkit.RequireRejected(t, testkit.ValuesErrors(t, "istiod", "1.30.3",
		map[string]any{"meshConfig": map[string]any{"accessLogFormatt": "x"}}), "meshConfig.accessLogFormatt")
	testkit.RequireRejected(t, testkit.ValuesErrors(t, "ztunnel", "1.30.3",
		map[string]any{"_internal_defaults_do_not_set": map[string]any{}}), "_internal_defaults_do_not_set")
}

func TestIstioStrictOrder(t *testing.T) {
	rec := runIstio(t, false)
	crds := rec.Find("command:local:Command", testCRDs)
	chart := func(name string) *recorder.Resource { return rec.Find(chartType, name) }
	base, istiod, cni, ztunnel := chart("istio-base"), chart("istio-istiod"), chart("istio-cni"), chart("istio-ztunnel")

	assert.True(t, rec.WaitsFor(base, crds), "base waits for args.DependsOn")
	assert.True(t, rec.WaitsFor(istiod, base), "istiod waits for base (CRDs)")
	assert.True(t, rec.WaitsFor(cni, istiod), "cni waits for istiod")
	assert.True(t, rec.WaitsFor(ztunnel, cni), "ztunnel waits for cni")
	// Direct edges, not only transitive ones: each step names the step before it.
	assert.Contains(t, ztunnel.Dependencies, cni.URN)
	assert.Contains(t, cni.Dependencies, istiod.URN)
	assert.Contains(t, istiod.Dependencies, base.URN)
	// And nothing runs backwards.
	assert.False(t, rec.WaitsFor(base, istiod))
	assert.False(t, rec.WaitsFor(istiod, cni))
	assert.False(t, rec.WaitsFor(cni, ztunnel))
}

func TestIstioExportsEachChart(t *testing.T) {
	rec := runIstio(t, false)
	for field, chart := range map[string]string{
		"base": "istio-base", "istiod": "istio-istiod", "cni": "istio-cni", "ztunnel": "istio-ztunnel",
	} {
		user := rec.Named("uses-" + field)
		require.NotNil(t, user)
		assert.True(t, rec.WaitsFor(user, rec.Find(chartType, chart)), "Istio.%s is not chart %s", field, chart)
	}
	// Base is the first chart: depending on it must not pull in istiod.
	assert.False(t, rec.WaitsFor(rec.Named("uses-base"), rec.Find(chartType, "istio-istiod")))
}

func TestIstioChildrenParentsAndTarget(t *testing.T) {
	rec := runIstio(t, false)
	comp := rec.Find("egress-mesh:mesh:Istio", "istio")
	require.NotNil(t, comp)
	children := rec.Children(comp)
	assert.Len(t, children, 5, "namespace and four charts")
	for _, child := range children {
		assertInCluster(t, rec, comp, child)
	}
	for _, c := range istioCharts {
		assert.Equal(t, comp.URN, rec.Find(chartType, c.name).Parent)
	}
}

func TestIstioDryRunRegistersEverything(t *testing.T) {
	rec := runIstio(t, true)
	for _, c := range istioCharts {
		assert.NotNil(t, rec.Find(chartType, c.name), c.name)
	}
	assert.NotNil(t, rec.Find("kubernetes:core/v1:Namespace", "ns-istio-system"))
	assert.True(t, rec.WaitsFor(rec.Find(chartType, "istio-ztunnel"), rec.Find(chartType, "istio-base")))
}
