package ollama

import (
	"net"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// newServiceEntry registers Ollama in the mesh as notes/resources.md's "Ollama path" describes, corrected per
// its mistake 7: host.docker.internal does not resolve from kind nodes on Linux, so the entry is STATIC with
// the container's address on the kind network as its one endpoint, and the hostname only names the service.
// networking.istio.io/v1 is the stored version kgateway reads; the label is the approval Kyverno requires.
// resolution is STATIC for an IP endpoint (the container's address, or an existing Ollama given by IP) and DNS
// for an existing Ollama given by name: Istio then resolves the endpoint's address.
func resolution(args *Args) string {
	if args.Existing != "" && net.ParseIP(args.Existing) == nil {
		return "DNS"
	}
	return "STATIC"
}

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
		"resolution": pulumi.String(resolution(args)),
		// Visible only in its own namespace, the gateway's: no other namespace's sidecars, waypoints or
		// gateways get a route to Ollama from it (the client namespace's egress NetworkPolicy stops direct calls).
		"exportTo":  pulumi.ToStringArray([]string{"."}),
		"endpoints": pulumi.Array{pulumi.Map{"address": address}},
	}
	return kube.Object(ctx, args.Target, parent, "networking.istio.io/v1", "ServiceEntry", meta,
		map[string]any{"spec": spec}, pulumi.DependsOn(args.ServiceEntryDependsOn))
}
