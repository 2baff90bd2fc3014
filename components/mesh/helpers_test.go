package mesh

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
)

// Names of the stand-ins the tests build around the components.
const (
	testProvider = "k8s"
	testCluster  = "kind" // stands in for the kind cluster command: DeletedWith and DependsOn target
	testCRDs     = "gateway-api-stand-in"
)

// testTarget builds a Target with a real provider resource and a dummy DeletedWith owner.
func testTarget(ctx *pulumi.Context) (kube.Target, error) {
	provider, err := kubernetes.NewProvider(ctx, testProvider, &kubernetes.ProviderArgs{})
	if err != nil {
		return kube.Target{}, err
	}
	owner, err := local.NewCommand(ctx, testCluster, &local.CommandArgs{Create: pulumi.String("true")})
	if err != nil {
		return kube.Target{}, err
	}
	return kube.Target{Provider: provider, DeletedWith: owner}, nil
}

// run runs a program against a fresh recorder.
func run(t *testing.T, dryRun bool, program pulumi.RunFunc) *recorder.Recorder {
	t.Helper()
	rec := recorder.New(dryRun)
	require.NoError(t, pulumi.RunErr(program, pulumi.WithMocks("egress-mesh", "test", rec)))
	return rec
}

// assertInCluster checks a child of the component: parent chain, provider and DeletedWith from the Target.
func assertInCluster(t *testing.T, rec *recorder.Recorder, comp, res *recorder.Resource) {
	t.Helper()
	require.NotNil(t, res)
	assert.True(t, rec.IsDescendant(res, comp), "%s %s is not under %s", res.Type, res.Name, comp.Name)
	prov := rec.Find("pulumi:providers:kubernetes", testProvider)
	require.NotNil(t, prov)
	assert.True(t, strings.HasPrefix(res.Provider, prov.URN+"::"), "%s provider = %q", res.Name, res.Provider)
	owner := rec.Find("command:local:Command", testCluster)
	require.NotNil(t, owner)
	assert.Equal(t, owner.URN, res.DeletedWith, "%s DeletedWith", res.Name)
}

func str(t *testing.T, res *recorder.Resource, path string) string {
	t.Helper()
	v, ok := res.Input(path)
	require.True(t, ok, "%s has no input %s", res.Name, path)
	require.True(t, v.IsString(), "%s input %s = %v", res.Name, path, v)
	return v.StringValue()
}
