package agentgateway

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// ProxyBackendName is the static backend for a proxy reached by address.
const ProxyBackendName = "squid-proxy"

// ObjectName is the name of a destination's backend, route and ServiceEntry: its host as a DNS label.
func ObjectName(host string) string { return strings.ReplaceAll(host, ".", "-") }

// tunnel declares, for a proxy reached by address, the static backend the destinations' tunnels name.
func (c *AgentGateway) tunnel(ctx *pulumi.Context, name string, args *Args) error {
	p := args.Proxy
	var err error
	if p.Service != nil {
		// The destinations' backends name a Service in the proxy's namespace.
		c.tunnelGrant, err = c.referenceGrant(ctx, args, "AgentgatewayBackend", *p.Service, p.Ready)
		return err
	}
	c.ProxyBackend, err = c.object(ctx, args.Target, agwAPIVersion, "AgentgatewayBackend",
		kube.Meta{Name: ProxyBackendName, Namespace: GatewayNamespace},
		map[string]any{"static": map[string]any{"host": p.Host, "port": p.Port}},
		[]pulumi.Resource{c.Namespace, c.CRDs}, p.Ready)
	return err
}

// tunnelRef is policies.tunnel.backendRef: the proxy's Service, or the static backend for its address.
func (c *AgentGateway) tunnelRef(p TunnelProxy) map[string]any {
	if p.Service != nil {
		return map[string]any{"kind": "Service", "name": p.Service.Name, "namespace": p.Service.Namespace, "port": p.Service.Port}
	}
	return map[string]any{"group": agwGroup, "kind": "AgentgatewayBackend", "name": ProxyBackendName}
}

// proxyReady is what must exist before traffic is tunnelled through the proxy.
func (c *AgentGateway) proxyReady(p TunnelProxy) []pulumi.Resource {
	ready := append([]pulumi.Resource{}, p.Ready...)
	ready = append(ready, c.tunnelGrant...)
	if c.ProxyBackend != nil {
		ready = append(ready, c.ProxyBackend)
	}
	return ready
}

// destinations declares, per destination, the tunnelled backend, the route to it and the ServiceEntry.
func (c *AgentGateway) destinations(ctx *pulumi.Context, name string, args *Args) error {
	for _, d := range args.Destinations {
		objName := ObjectName(d.Host)
		backend, err := c.object(ctx, args.Target, agwAPIVersion, "AgentgatewayBackend",
			kube.Meta{Name: objName, Namespace: GatewayNamespace},
			map[string]any{
				"static": map[string]any{"host": d.Host, "port": d.Port},
				// Every connection to the destination goes through the forward proxy.
				"policies": map[string]any{"tunnel": map[string]any{"backendRef": c.tunnelRef(args.Proxy)}},
			}, []pulumi.Resource{c.Namespace, c.CRDs}, c.proxyReady(args.Proxy))
		if err != nil {
			return err
		}
		route, err := c.object(ctx, args.Target, gatewayAPIVersion, "HTTPRoute",
			kube.Meta{Name: objName, Namespace: GatewayNamespace},
			map[string]any{
				"parentRefs": []any{map[string]any{"name": GatewayName, "sectionName": ListenerName(d.Port)}},
				"hostnames":  []any{d.Host},
				"rules": []any{map[string]any{
					"matches":     []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}},
					"backendRefs": []any{map[string]any{"group": agwGroup, "kind": "AgentgatewayBackend", "name": objName}},
				}},
			}, []pulumi.Resource{c.Gateway, backend})
		if err != nil {
			return err
		}
		entry, err := c.serviceEntry(ctx, args, d, objName, route)
		if err != nil {
			return err
		}
		c.Backends = append(c.Backends, backend)
		c.Routes = append(c.Routes, route)
		c.ServiceEntries = append(c.ServiceEntries, entry)
	}
	return nil
}

// serviceEntry registers the destination with Istio in the client namespace and points it at the waypoint:
// without it ztunnel would send the traffic straight out (and the NetworkPolicy would drop it).
func (c *AgentGateway) serviceEntry(ctx *pulumi.Context, args *Args, d Destination, objName string,
	route pulumi.Resource) (*apiextensions.CustomResource, error) {
	labels := map[string]string{useWaypoint: GatewayName, useWaypointNS: GatewayNamespace}
	if args.RequireApproval {
		labels[approvalLabel] = "true"
	}
	portName := "http"
	if d.Port != 80 {
		portName = fmt.Sprintf("http-%d", d.Port)
	}
	// It waits for the Gateway, the route and the policies too: once it exists, traffic goes to the
	// waypoint, which must route it and must not let a request out before ext-authz and the L4 rule apply.
	guards := []pulumi.Resource{c.Gateway, route, c.ExtAuthPolicy, c.IdentityPolicy}
	if c.ProxyPolicy != nil {
		guards = append(guards, c.ProxyPolicy)
	}
	return c.object(ctx, args.Target, "networking.istio.io/v1", "ServiceEntry",
		kube.Meta{Name: objName, Namespace: args.ClientNamespace, Labels: labels},
		map[string]any{
			"hosts":      []any{d.Host},
			"location":   "MESH_EXTERNAL",
			"resolution": "DNS",
			"ports":      []any{map[string]any{"number": d.Port, "name": portName, "protocol": "HTTP"}},
		}, args.ClientDependsOn, args.ServiceEntryDependsOn, guards)
}
