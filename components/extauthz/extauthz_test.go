package extauthz

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/versions"
)

func run(t *testing.T) *recorder.Recorder {
	t.Helper()
	return testkit.Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
		_, err := New(ctx, "ext-authz", &Args{Target: target})
		return err
	})
}

func TestServerDeployment(t *testing.T) {
	rec := run(t)
	dep := rec.Find("kubernetes:apps/v1:Deployment", "ext-authz")
	require.NotNil(t, dep)
	d := dep.Plain()
	assert.Equal(t, "ext-authz", d["metadata"].(map[string]any)["namespace"])
	spec := d["spec"].(map[string]any)
	assert.Equal(t, map[string]any{"app": "ext-authz"}, spec["selector"].(map[string]any)["matchLabels"])
	pod := spec["template"].(map[string]any)["spec"].(map[string]any)
	assert.Equal(t, "ext-authz", pod["serviceAccountName"])
	ctr := pod["containers"].([]any)[0].(map[string]any)
	assert.Equal(t, versions.ExtAuthzImage, ctr["image"])
	ports := map[string]float64{}
	for _, p := range ctr["ports"].([]any) {
		pm := p.(map[string]any)
		ports[pm["name"].(string)] = pm["containerPort"].(float64)
	}
	assert.Equal(t, map[string]float64{"grpc": 9000, "http": 8000}, ports)
}

func TestServiceSpeaksH2COnGRPCPort(t *testing.T) {
	rec := run(t)
	svc := rec.Find("kubernetes:core/v1:Service", "ext-authz")
	require.NotNil(t, svc)
	typ, _ := svc.Input("spec.type")
	assert.Equal(t, "ClusterIP", typ.StringValue(), "no LoadBalancer anywhere")
	sel, _ := svc.Input("spec.selector.app")
	assert.Equal(t, "ext-authz", sel.StringValue())
	byName := map[string]map[string]any{}
	ports, _ := svc.Input("spec.ports")
	for _, p := range recorder.Plain(ports).([]any) {
		pm := p.(map[string]any)
		byName[pm["name"].(string)] = pm
	}
	require.Contains(t, byName, "grpc")
	assert.EqualValues(t, 9000, byName["grpc"]["port"])
	assert.Equal(t, "kubernetes.io/h2c", byName["grpc"]["appProtocol"])
	require.Contains(t, byName, "http")
	assert.EqualValues(t, 8000, byName["http"]["port"])
	assert.Nil(t, byName["http"]["appProtocol"])
}

func TestObjectsWaitForNamespaceAndUseProvider(t *testing.T) {
	rec := run(t)
	ns := rec.Find("kubernetes:core/v1:Namespace", "ns-ext-authz")
	require.NotNil(t, ns)
	comp := rec.Find("egress-mesh:extauthz:ExtAuthz", "ext-authz")
	require.NotNil(t, comp)
	for _, typ := range []string{"kubernetes:core/v1:ServiceAccount", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service"} {
		res := rec.OfType(typ)
		require.Len(t, res, 1, typ)
		assert.True(t, rec.WaitsFor(res[0], ns), typ)
		assert.Equal(t, comp.URN, res[0].Parent, typ)
		assert.Contains(t, res[0].Provider, "k8s", typ)
		labels, _ := res[0].Input("metadata.labels.app")
		assert.Equal(t, "ext-authz", labels.StringValue(), typ)
	}
	// Not in the mesh: no ambient label on the namespace.
	_, ok := ns.Input("metadata.labels")
	assert.False(t, ok)
}
