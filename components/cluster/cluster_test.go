package cluster

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

func run(t *testing.T, args *Args, dryRun bool) (*recorder.Recorder, *Cluster, error) {
	t.Helper()
	var c *Cluster
	rec, err := testkit.Program(dryRun, func(ctx *pulumi.Context) error {
		var err error
		c, err = New(ctx, "cluster", args)
		return err
	})
	return rec, c, err
}

func kindArgs() *Args {
	return &Args{Name: "egress-mesh", Mode: ModeKind, NodeImage: "kindest/node:v1.35.8@sha256:abc",
		PodSubnet: "10.244.0.0/16", ServiceSubnet: "10.96.0.0/16"}
}

func TestKindClusterIsCreatedAndDeletedWithTheCLI(t *testing.T) {
	rec, c, err := run(t, kindArgs(), false)
	require.NoError(t, err)
	kind := rec.Find("command:local:Command", "cluster-kind")
	require.NotNil(t, kind)
	create, _ := kind.Input("create")
	assert.Contains(t, create.StringValue(), `kind create cluster --name "$KIND_CLUSTER_NAME" --image "$KIND_NODE_IMAGE" --config -`)
	assert.True(t, strings.HasSuffix(create.StringValue(), `kind get kubeconfig --name "$KIND_CLUSTER_NAME"`),
		"stdout must be only the kubeconfig")
	assert.Contains(t, create.StringValue(), "1>&2", "kind's progress must not pollute stdout")
	del, _ := kind.Input("delete")
	assert.Equal(t, `kind delete cluster --name "$KIND_CLUSTER_NAME"`, del.StringValue())
	env := kind.Plain()["environment"].(map[string]any)
	assert.Equal(t, map[string]any{"KIND_CLUSTER_NAME": "egress-mesh", "KIND_NODE_IMAGE": "kindest/node:v1.35.8@sha256:abc"}, env)
	stdin, _ := kind.Input("stdin")
	assert.Contains(t, stdin.StringValue(), `podSubnet: "10.244.0.0/16"`)
	assert.Contains(t, stdin.StringValue(), `serviceSubnet: "10.96.0.0/16"`)
	assert.Contains(t, stdin.StringValue(), "apiVersion: kind.x-k8s.io/v1alpha4")
	assert.True(t, kind.DeleteBeforeReplace, "two kind clusters cannot share a name")
	assert.Contains(t, kind.Plain()["triggers"], "kindest/node:v1.35.8@sha256:abc", "a new node image means a new cluster")
	assert.Equal(t, c.Kind, pulumi.Resource(c.Target.DeletedWith), "in-cluster objects go with the kind cluster")
}

func TestProviderCarriesTheClusterIdentity(t *testing.T) {
	rec, _, err := run(t, kindArgs(), false)
	require.NoError(t, err)
	provider := rec.Find("pulumi:providers:kubernetes", "cluster")
	require.NotNil(t, provider)
	id, _ := provider.Input("clusterIdentifier")
	assert.Equal(t, "egress-mesh", id.StringValue())
	assert.Contains(t, []any{true, "true"}, provider.Plain()["deleteUnreachable"], "a deleted kind cluster must not block destroy")
	kubeconfig, _ := provider.Input("kubeconfig")
	assert.True(t, kubeconfig.IsSecret(), "the engine returns kind's stdout as a secret (AdditionalSecretOutputs)")
	assert.True(t, rec.WaitsFor(provider, rec.Find("command:local:Command", "cluster-kind")))
	assert.Equal(t, rec.Find("egress-mesh:cluster:Cluster", "cluster").URN, provider.Parent)
}

func TestExistingClusterUsesTheGivenKubeconfigAndContext(t *testing.T) {
	args := &Args{Name: "prod", Mode: ModeExisting, Kubeconfig: pulumi.ToSecret(pulumi.String("apiVersion: v1")).(pulumi.StringOutput), Context: "prod-admin"}
	rec, c, err := run(t, args, false)
	require.NoError(t, err)
	assert.Empty(t, rec.OfType("command:local:Command"))
	assert.Nil(t, c.Kind)
	assert.Nil(t, c.Target.DeletedWith, "objects in a cluster we do not own must really be deleted")
	provider := rec.Find("pulumi:providers:kubernetes", "cluster")
	context, _ := provider.Input("context")
	assert.Equal(t, "prod-admin", context.StringValue())
	assert.Contains(t, []any{false, "false"}, provider.Plain()["deleteUnreachable"])
	kubeconfig, _ := provider.Input("kubeconfig")
	assert.True(t, kubeconfig.IsSecret())
}

func TestPreviewLeavesTheKubeconfigUnknown(t *testing.T) {
	rec, _, err := run(t, kindArgs(), true)
	require.NoError(t, err)
	kubeconfig, _ := rec.Find("pulumi:providers:kubernetes", "cluster").Input("kubeconfig")
	assert.True(t, kubeconfig.IsComputed() || kubeconfig.IsNull(), "a preview cannot know the kubeconfig")
}

func TestUnknownModeIsAnError(t *testing.T) {
	_, _, err := run(t, &Args{Name: "x", Mode: "minikube"}, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cluster mode "minikube"`)
}
