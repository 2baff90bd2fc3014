package cluster

import (
	"fmt"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// kindConfig pins the pod and service ranges: Squid's ACL and the NetworkPolicies name the pod range, so
// it must be what the cluster really uses rather than kind's default by coincidence.
func kindConfig(args *Args) string {
	return fmt.Sprintf(`kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  podSubnet: %q
  serviceSubnet: %q
nodes:
- role: control-plane
`, args.PodSubnet, args.ServiceSubnet)
}

// newKind creates the cluster with the kind CLI (there is no kind provider) and prints its kubeconfig.
func newKind(ctx *pulumi.Context, name string, args *Args, parent pulumi.Resource) (*local.Command, error) {
	config := kindConfig(args)
	return local.NewCommand(ctx, name+"-kind", &local.CommandArgs{
		// kind's own progress goes to stderr; stdout is only the kubeconfig.
		Create: pulumi.String(`kind create cluster --name "$KIND_CLUSTER_NAME" --image "$KIND_NODE_IMAGE" ` +
			`--config - --wait 180s 1>&2 && kind get kubeconfig --name "$KIND_CLUSTER_NAME"`),
		Delete: pulumi.String(`kind delete cluster --name "$KIND_CLUSTER_NAME"`),
		Stdin:  pulumi.String(config),
		Environment: pulumi.StringMap{
			"KIND_CLUSTER_NAME": pulumi.String(args.Name),
			"KIND_NODE_IMAGE":   pulumi.String(args.NodeImage),
		},
		// Any change to the cluster's definition means a new cluster.
		Triggers: pulumi.Array{pulumi.String(args.Name), pulumi.String(args.NodeImage), pulumi.String(config)},
		// The kubeconfig holds a client key: keep it out of the logs.
		Logging: local.LoggingStderr,
	},
		pulumi.Parent(parent),
		pulumi.AdditionalSecretOutputs([]string{"stdout"}),
		// Two kind clusters cannot share a name: delete the old one before creating its replacement.
		pulumi.DeleteBeforeReplace(true),
	)
}
