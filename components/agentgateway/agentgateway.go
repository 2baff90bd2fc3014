// Package agentgateway builds the Squid path's egress gateway with open-source agentgateway: the controller
// charts, an Istio ambient waypoint Gateway outside the mesh, per destination a backend tunnelled through the
// forward proxy, a route and a ServiceEntry that steers the client's traffic to the waypoint, the policies
// (ext-authz, mesh identity, proxy credentials); the client component leaves the client no other way out.
package agentgateway

import (
	"fmt"
	"net"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Fixed names: Istio's waypoint labels, the checks and the `verify` output address them.
const (
	SystemNamespace  = "agentgateway-system"
	GatewayNamespace = "agentgateway-egress"
	GatewayName      = "egress-gateway"
	GatewayClass     = "agentgateway"
	ParametersName   = "egress-params"
	// GatewayNameLabel is on every proxy pod agentgateway's deployer creates for a Gateway, valued with the
	// Gateway's name: the pod template merges `kgateway.gateway.selectorLabels`, which is
	// `gateway.networking.k8s.io/gateway-name: {{ include "kgateway.gateway.fullname" . }}`, and fullname is
	// `agentgateway.name`, which the deployer sets to `gw.Name` (controller deployer helm chart
	// templates/_helpers.tpl and deployer/agentgateway_parameters.go `Name: &gw.Name`; names over 63
	// characters would be hashed, GatewayName is short). Every revision read carries it, kgateway's earlier
	// copy of the chart included; the exact v1.4.1 file was not in the searched index.
	GatewayNameLabel = "gateway.networking.k8s.io/gateway-name"
	// GatewaySelector selects the gateway's proxy pods.
	GatewaySelector = GatewayNameLabel + "=" + GatewayName
	// HBONEPort is where ztunnel delivers the clients' traffic to the waypoint.
	HBONEPort = 15008
)

// Destination is an external host the clients may reach. Port is the destination's own port, which the
// gateway connects to; with TLS the gateway originates TLS to it (AgentgatewayBackend `policies.tls`) and the
// clients call it in plain HTTP on port 80 (ClientPort), so the waypoint can read the request for ext-authz.
type Destination struct {
	Host string
	Port int
	TLS  bool
}

// TLSClientPort is where clients call a TLS destination, in plain HTTP.
const TLSClientPort = 80

// ClientPort is the port clients call the destination on: the ServiceEntry's port and the inner listener's.
func (d Destination) ClientPort() int {
	if d.TLS {
		return TLSClientPort
	}
	return d.Port
}

// GatewayPodLabels select the gateway's proxy pods (with their namespace, GatewayNamespace), e.g. in a
// NetworkPolicy that admits only them.
func GatewayPodLabels() map[string]string { return map[string]string{GatewayNameLabel: GatewayName} }

// ProxyAuth is sent to the forward proxy as `Proxy-Authorization: Basic ...`. Password must be a Pulumi secret.
type ProxyAuth struct {
	Username string
	Password pulumi.StringInput
}

// Args configures the gateway. Everything that changes the graph's shape is plain.
type Args struct {
	Target kube.Target

	// ClientNamespace is the ambient namespace whose workloads may egress (ServiceEntries and the
	// NetworkPolicy go there; the L4 policy admits its identities).
	ClientNamespace string
	Destinations    []Destination

	// Proxy is the forward proxy every destination is tunnelled through; ProxyAuth its optional credentials.
	Proxy     TunnelProxy
	ProxyAuth *ProxyAuth

	// ExtAuthz is the ext-authz gRPC Service; ExtAuthzReady the resources that run it.
	ExtAuthz      ServiceRef
	ExtAuthzReady []pulumi.Resource

	// RequireApproval labels every ServiceEntry `security.corp/egress-approved: "true"` (Kyverno's policy
	// rejects entries without it).
	RequireApproval bool

	// DependsOn: the Gateway API CRDs and the Istio control plane, before the charts and the Gateway.
	DependsOn []pulumi.Resource
	// ClientDependsOn: the client namespace, before anything declared in it.
	ClientDependsOn []pulumi.Resource
	// ServiceEntryDependsOn: Istio base (the ServiceEntry CRD) and, with Kyverno, its ClusterPolicy.
	ServiceEntryDependsOn []pulumi.Resource
}

// AgentGateway is the component.
type AgentGateway struct {
	pulumi.ResourceState

	SystemNamespace, Namespace *corev1.Namespace
	CRDs, Controller           *helmv4.Chart
	Parameters, Gateway        *apiextensions.CustomResource
	// Backends, Routes and ServiceEntries are per destination, in the order of Args.Destinations.
	Backends, Routes, ServiceEntries []*apiextensions.CustomResource
	// ProxyBackend is the static backend for a proxy reached by address (nil for a Service).
	ProxyBackend                               *apiextensions.CustomResource
	ExtAuthPolicy, IdentityPolicy, ProxyPolicy *apiextensions.CustomResource
	ProxySecret                                *corev1.Secret

	tunnelGrant []pulumi.Resource // ReferenceGrant for a proxy Service in another namespace

	// Address is the gateway Service's in-cluster DNS name (its HBONE port is HBONEPort).
	Address string
}

// New builds the gateway and everything around it.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*AgentGateway, error) {
	if err := validate(args); err != nil {
		return nil, err
	}
	c := &AgentGateway{}
	if err := ctx.RegisterComponentResource("egress-mesh:agentgateway:AgentGateway", name, c, opts...); err != nil {
		return nil, err
	}
	c.Address = GatewayName + "." + GatewayNamespace + ".svc.cluster.local"
	steps := []func(*pulumi.Context, string, *Args) error{
		// Policies before destinations: a ServiceEntry turns traffic on, so everything guarding it comes first.
		c.install, c.gateway, c.tunnel, c.policies, c.proxyAuth, c.destinations,
	}
	for _, step := range steps {
		if err := step(ctx, name, args); err != nil {
			return nil, err
		}
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"gatewayNamespace": pulumi.String(GatewayNamespace),
		"gatewayName":      pulumi.String(GatewayName),
		"address":          pulumi.String(c.Address),
	})
}

// validate rejects arguments that would make a half-built graph.
func validate(args *Args) error {
	if (args.Proxy.Service == nil) == (args.Proxy.Host == nil) {
		return fmt.Errorf("agentgateway: Proxy needs exactly one of Service or Host")
	}
	if len(args.Destinations) == 0 {
		return fmt.Errorf("agentgateway: no destinations")
	}
	if args.ClientNamespace == "" {
		return fmt.Errorf("agentgateway: ClientNamespace is required")
	}
	for _, d := range args.Destinations {
		// TLS is handshaken with the host as SNI (the CRD's sni pattern admits DNS names only).
		if d.TLS && net.ParseIP(d.Host) != nil {
			return fmt.Errorf("agentgateway: TLS destination %s:%d needs a DNS name, not an IP address", d.Host, d.Port)
		}
	}
	return nil
}

// after joins dependency lists into one DependsOn option.
func after(groups ...[]pulumi.Resource) pulumi.ResourceOption {
	var all []pulumi.Resource
	for _, g := range groups {
		all = append(all, g...)
	}
	return pulumi.DependsOn(all)
}

// object declares a custom object as a child of the component.
func (c *AgentGateway) object(ctx *pulumi.Context, t kube.Target, apiVersion, kind string, meta kube.Meta,
	spec map[string]any, deps ...[]pulumi.Resource) (*apiextensions.CustomResource, error) {
	return kube.Object(ctx, t, c, apiVersion, kind, meta, map[string]any{"spec": spec}, after(deps...))
}
