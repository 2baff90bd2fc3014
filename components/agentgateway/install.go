package agentgateway

import (
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// ControllerValues are the controller chart's values; every key exists in the chart's v1.4.1 values.yaml.
func ControllerValues() pulumi.Map {
	return pulumi.Map{
		// The built-in default, pinned: the Gateway below names this class, so it must not move with the chart.
		"gatewayClassName": pulumi.String(GatewayClass),
	}
}

// install creates the namespaces and both charts. helm/v4 Chart suffices: neither agentgateway chart has
// Helm hooks (notes/resources.md), and v4 tracks every rendered object. The charts do not bundle Gateway
// API CRDs; they come from Args.DependsOn.
func (c *AgentGateway) install(ctx *pulumi.Context, name string, args *Args) error {
	var err error
	if c.SystemNamespace, err = kube.Namespace(ctx, args.Target, c, SystemNamespace, nil); err != nil {
		return err
	}
	// The gateway's namespace stays out of the mesh: the proxy terminates HBONE itself (istio.enabled), and
	// ztunnel capturing its pods as well would fight it for port 15008.
	if c.Namespace, err = kube.Namespace(ctx, args.Target, c, GatewayNamespace, nil); err != nil {
		return err
	}
	system := []pulumi.Resource{c.SystemNamespace}
	// The CRDs need nothing but their namespace: they install in parallel with the mesh.
	if c.CRDs, err = helmv4.NewChart(ctx, name+"-crds", args.Target.ChartArgs(versions.AgentGatewayCRDs, "agentgateway-crds",
		pulumi.String(SystemNamespace), nil),
		args.Target.Opts(c, after(system))...); err != nil {
		return err
	}
	// The controller watches Gateway API kinds from its first start, hence DependsOn as well.
	c.Controller, err = helmv4.NewChart(ctx, name+"-controller", args.Target.ChartArgs(versions.AgentGatewayController, "agentgateway",
		pulumi.String(SystemNamespace), ControllerValues()),
		args.Target.Opts(c, after(system, []pulumi.Resource{c.CRDs}, args.DependsOn))...)
	return err
}
