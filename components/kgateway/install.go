package kgateway

import (
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// SystemNamespace is where the kgateway controller runs.
const SystemNamespace = "kgateway-system"

// AmbientLabels enrol a namespace in Istio ambient: ztunnel then carries the gateway proxy's traffic with the
// pods' SPIFFE identities, which is what the L4 AuthorizationPolicy on the gateway checks.
var AmbientLabels = map[string]string{"istio.io/dataplane-mode": "ambient"}

// install creates both namespaces and the two charts. helm/v4 Chart is enough: neither kgateway chart has
// Helm hooks (notes/resources.md), and v4 renders objects Pulumi tracks one by one.
func (c *KGateway) install(ctx *pulumi.Context, name string, args *Args) error {
	system, err := kube.Namespace(ctx, args.Target, c, SystemNamespace, nil)
	if err != nil {
		return err
	}
	c.Namespace, err = kube.Namespace(ctx, args.Target, c, args.Namespace, AmbientLabels)
	if err != nil {
		return err
	}

	crds, err := helmv4.NewChart(ctx, name+"-crds", args.Target.ChartArgs(versions.KGatewayCRDs, "kgateway-crds", pulumi.String(SystemNamespace), nil),
		args.Target.Opts(c, pulumi.DependsOn(append([]pulumi.Resource{system}, args.DependsOn...)))...)
	if err != nil {
		return err
	}
	c.CRDs = crds

	controller, err := helmv4.NewChart(ctx, name+"-controller", args.Target.ChartArgs(versions.KGatewayController, "kgateway",
		pulumi.String(SystemNamespace), pulumi.Map{
			// Exists in the v2.2.3 values and defaults to false; pinned so an upgrade of the defaults cannot
			// turn this path's Envoy gateway into an Istio waypoint. (v2.2 dropped the `agentgateway` key: the
			// agentgateway data plane has its own chart.)
			"waypoint": pulumi.Map{"enabled": pulumi.Bool(false)},
		}),
		args.Target.Opts(c, pulumi.DependsOn([]pulumi.Resource{system, crds}))...)
	if err != nil {
		return err
	}
	c.Controller = controller
	return nil
}
