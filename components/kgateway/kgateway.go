// Package kgateway installs kgateway (CRDs and controller) and declares the egress gateway of the Ollama path:
// the Gateway, its route to the Istio ServiceEntry, the retry/timeout/ext-authz TrafficPolicy, the
// GatewayExtension that names the authz server, the access log and the parameters that keep the proxy's
// Service off LoadBalancer. Objects follow notes/resources.md "Ollama path, corrected".
package kgateway

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// RetryPolicy is the gateway's retry and timeout behaviour towards the external host.
type RetryPolicy struct {
	Attempts                      int
	PerTryTimeout, RequestTimeout string // Gateway API durations, e.g. "10s", "30s"
	StatusCodes                   []int  // 503, 504
}

// AuthzRef is the gRPC ext-authz Service the GatewayExtension points at.
type AuthzRef struct {
	Name, Namespace string
	Port            int
	DependsOn       []pulumi.Resource // the authz server chart
}

// Args configures the component. Everything is plain: names and ports shape the objects, not values
// computed by other resources.
type Args struct {
	Target           kube.Target
	DependsOn        []pulumi.Resource // Gateway API CRDs and Istio base (the ServiceEntry CRD must exist first)
	Namespace        string            // gateway namespace, created here, labelled istio.io/dataplane-mode: ambient
	GatewayName      string            // "egress-kgateway"
	Port             int               // listener "http" port, 8080
	Hostname         string            // route hostname = the ServiceEntry host
	ServiceEntryName string            // backendRef {group networking.istio.io, kind ServiceEntry}; the entry must be in Namespace (no ReferenceGrant)
	BackendPort      int               // must equal one of the ServiceEntry's ports (11434)
	Retry            RetryPolicy
	Authz            AuthzRef
}

// KGateway is the component.
type KGateway struct {
	pulumi.ResourceState

	Namespace        *corev1.Namespace
	CRDs, Controller pulumi.Resource // the two charts

	Gateway, Route, TrafficPolicy, Extension, AccessLog, Parameters *apiextensions.CustomResource

	Address     string            // "<gateway>.<ns>.svc.cluster.local:<port>"
	PodSelector map[string]string // labels of the gateway's proxy pods
}

// GatewayNameLabel is the label kgateway (like every Gateway API implementation that deploys proxies) puts on
// the pods it runs for a Gateway.
const GatewayNameLabel = "gateway.networking.k8s.io/gateway-name"

// New installs kgateway and declares the egress gateway.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*KGateway, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("kgateway %s: %w", name, err)
	}
	c := &KGateway{
		Address:     fmt.Sprintf("%s.%s.svc.cluster.local:%d", args.GatewayName, args.Namespace, args.Port),
		PodSelector: map[string]string{GatewayNameLabel: args.GatewayName},
	}
	if err := ctx.RegisterComponentResource("egress-mesh:kgateway:KGateway", name, c, opts...); err != nil {
		return nil, err
	}

	if err := c.install(ctx, name, args); err != nil {
		return nil, err
	}
	if err := c.declareGateway(ctx, args); err != nil {
		return nil, err
	}
	if err := c.declareExtension(ctx, args); err != nil {
		return nil, err
	}
	if err := c.declareRoute(ctx, args); err != nil {
		return nil, err
	}

	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"address":   pulumi.String(c.Address),
		"namespace": pulumi.String(args.Namespace),
		"gateway":   pulumi.String(args.GatewayName),
	})
}

// objectDeps is what every egress object waits for: its CRDs (kgateway's chart, and Gateway API/Istio via
// args.DependsOn), the controller (it creates GatewayClass `kgateway` and reconciles what follows), the
// gateway namespace, and any extra resource.
func (c *KGateway) objectDeps(args *Args, extra ...pulumi.Resource) pulumi.ResourceOption {
	deps := append([]pulumi.Resource{c.CRDs, c.Controller, c.Namespace}, args.DependsOn...)
	return pulumi.DependsOn(append(deps, extra...))
}
