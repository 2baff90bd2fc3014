// Package cluster makes the Kubernetes cluster the stack deploys into, and the provider that talks to it:
// a kind cluster the stack owns (dev), or an existing cluster reached through a kubeconfig.
package cluster

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Modes of Args.Mode.
const (
	ModeKind     = "kind"
	ModeExisting = "existing"
)

// Args configures the cluster. Mode changes the shape of the graph, so it is a plain value.
type Args struct {
	// Name is the kind cluster's name, and the provider's clusterIdentifier in both modes.
	Name string
	Mode string

	// Kind mode.
	NodeImage     string
	PodSubnet     string
	ServiceSubnet string

	// Existing mode: the kubeconfig (a secret) and, optionally, the context in it to use.
	Kubeconfig pulumi.StringInput
	Context    string
}

// Cluster is the component.
type Cluster struct {
	pulumi.ResourceState

	// Kubeconfig is secret in both modes.
	Kubeconfig pulumi.StringOutput
	Provider   *kubernetes.Provider
	// Kind is the kind cluster (it also creates the Docker network pods reach containers on); nil for an
	// existing cluster.
	Kind pulumi.Resource
	// Target is what in-cluster components deploy with.
	Target kube.Target
}

// New makes the cluster and its provider.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	c := &Cluster{}
	if err := ctx.RegisterComponentResource("egress-mesh:cluster:Cluster", name, c, opts...); err != nil {
		return nil, err
	}

	var owner pulumi.Resource // what takes the in-cluster objects with it on destroy
	var kubeconfig pulumi.StringOutput
	switch args.Mode {
	case ModeKind:
		kind, err := newKind(ctx, name, args, c)
		if err != nil {
			return nil, err
		}
		// The engine returns stdout as a secret (AdditionalSecretOutputs), so the provider gets a secret; it is
		// not wrapped again here because a secret around a preview's unknown breaks Pulumi's mock engine.
		kubeconfig = kind.Stdout
		owner = kind
		c.Kind = kind
	case ModeExisting:
		kubeconfig = pulumi.ToSecret(args.Kubeconfig.ToStringOutput()).(pulumi.StringOutput)
	default:
		return nil, fmt.Errorf("cluster mode %q: want %q or %q", args.Mode, ModeKind, ModeExisting)
	}

	c.Kubeconfig = pulumi.ToSecret(kubeconfig).(pulumi.StringOutput)
	provider, err := kubernetes.NewProvider(ctx, name, &kubernetes.ProviderArgs{
		Kubeconfig: kubeconfig,
		Context:    optionalString(args.Context),
		// A stable identity: the provider's kubeconfig changes on every kind re-create (new port) and on
		// credential rotation; without this every object would be replaced when that happens.
		ClusterIdentifier: pulumi.String(args.Name),
		// A kind cluster that is already gone must not block `pulumi destroy` of what was in it.
		DeleteUnreachable: pulumi.Bool(args.Mode == ModeKind),
		// By default the provider replaces a ConfigMap or Secret whose data changes, and the program's have fixed
		// names, so a replace deletes the object before re-creating it: a window in which a restarting pod cannot
		// start. Updated in place instead, each change still reaches its reader: the Squid and authz Deployments
		// roll on a digest of their file, basic_ncsa_auth re-reads its htpasswd directory mount, and
		// agentgateway watches its credentials Secret.
		EnableConfigMapMutable: pulumi.Bool(true),
		EnableSecretMutable:    pulumi.Bool(true),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.Provider = provider
	c.Target = kube.Target{Provider: provider, DeletedWith: owner}

	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"kubeconfig": c.Kubeconfig,
		"name":       pulumi.String(args.Name),
	})
}

func optionalString(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}
