package ollama

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// newServiceEntry registers Ollama in the mesh as notes/resources.md's "Ollama path" describes, corrected per
// its mistake 7: host.docker.internal does not resolve from kind nodes on Linux, so the entry is STATIC with
// the container's address on the kind network as its one endpoint, and the hostname only names the service.
// networking.istio.io/v1 is the stored version kgateway reads; the label is the approval Kyverno requires.
func newServiceEntry(ctx *pulumi.Context, args *Args, address pulumi.StringInput,
	parent pulumi.Resource) (*apiextensions.CustomResource, error) {
	meta := kube.Meta{
		Name:      serviceEntryName,
		Namespace: args.Namespace,
		Labels:    map[string]string{"security.corp/egress-approved": "true"},
	}
	spec := pulumi.Map{
		"hosts":    pulumi.ToStringArray([]string{args.Hostname}),
		"location": pulumi.String("MESH_EXTERNAL"),
		"ports": pulumi.Array{pulumi.Map{
			"number":   pulumi.Int(args.Port),
			"name":     pulumi.String("http-ollama"),
			"protocol": pulumi.String("HTTP"),
		}},
		"resolution": pulumi.String("STATIC"),
		"endpoints":  pulumi.Array{pulumi.Map{"address": address}},
	}
	return kube.Object(ctx, args.Target, parent, "networking.istio.io/v1", "ServiceEntry", meta,
		map[string]any{"spec": spec}, pulumi.DependsOn(args.ServiceEntryDependsOn))
}
