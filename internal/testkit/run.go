package testkit

import (
	"testing"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
)

// Names of the resources Run declares around the component under test.
const (
	// Provider is the Kubernetes provider of the Target.
	Provider = "k8s"
	// Cluster stands in for the kind cluster: the Target's DeletedWith.
	Cluster = "kind"
)

// Run runs fn under the recorder with a Target holding a real Kubernetes provider (Provider) and a stand-in
// for the kind cluster as DeletedWith (Cluster; set Target.DeletedWith to nil to model an existing cluster).
// dryRun makes the run a preview: outputs the engine only knows after deployment stay unknown.
func Run(t testing.TB, dryRun bool, fn func(ctx *pulumi.Context, target kube.Target) error) *recorder.Recorder {
	t.Helper()
	rec, err := RunErr(t, dryRun, fn)
	require.NoError(t, err)
	return rec
}

// RunErr is Run for programs that are expected to fail: it returns the error instead of failing the test.
func RunErr(t testing.TB, dryRun bool, fn func(ctx *pulumi.Context, target kube.Target) error) (*recorder.Recorder, error) {
	t.Helper()
	return Program(dryRun, func(ctx *pulumi.Context) error {
		provider, err := kubernetes.NewProvider(ctx, Provider, &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		cluster, err := newStandIn(ctx, Cluster)
		if err != nil {
			return err
		}
		return fn(ctx, kube.Target{Provider: provider, DeletedWith: cluster})
	})
}

// Program runs a Pulumi program under the recorder, without a Target.
func Program(dryRun bool, program pulumi.RunFunc) (*recorder.Recorder, error) {
	rec := recorder.New(dryRun)
	// info.DryRun as well as the recorder's: without it the SDK resolves outputs the recorder leaves unknown
	// to known zero values, which no preview does.
	err := pulumi.RunErr(program, pulumi.WithMocks("egress-mesh", "test", rec),
		func(info *pulumi.RunInfo) { info.DryRun = dryRun })
	return rec, err
}

// StandIn declares a no-op command named name: a stand-in for a resource another component provides
// (CRDs, a chart), for DependsOn edges the tests can find by name.
func StandIn(t testing.TB, ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) pulumi.Resource {
	t.Helper()
	r, err := newStandIn(ctx, name, opts...)
	require.NoError(t, err)
	return r
}

func newStandIn(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	return local.NewCommand(ctx, name, &local.CommandArgs{Create: pulumi.String("true")}, opts...)
}
