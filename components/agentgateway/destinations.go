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

// backendPolicies are a destination backend's policies: every connection goes through the forward proxy
// (tunnel) and, for a TLS destination, carries TLS the gateway originates (tls).
//
// agentgateway v1.4.1 dials a tunnelled backend in one of two ways (crates/agentgateway/src/client/mod.rs,
// Connector::connect): "Tunnel case one: use CONNECT for non-plaintext HTTP" when the backend has TLS, then
// `tls::handshake(stream, &tls_cfg, target)` inside the tunnel; "Tunnel case two: use absolute form for
// plaintext HTTP" otherwise. So Squid logs `CONNECT host:443` for a TLS destination and `GET http://host/...`
// for a plain one. `sni` is what the CRD infers by default ("SNI is inferred from the destination"), stated
// so the rendered object says which name the certificate must carry; the system trust store verifies it.
func (c *AgentGateway) backendPolicies(args *Args, d Destination) map[string]any {
	policies := map[string]any{"tunnel": map[string]any{"backendRef": c.tunnelRef(args.Proxy)}}
	if d.TLS {
		policies["tls"] = map[string]any{"sni": d.Host}
	}
	return policies
}

// destinations declares, per destination, the tunnelled backend, the route to it and the ServiceEntry.
func (c *AgentGateway) destinations(ctx *pulumi.Context, name string, args *Args) error {
	for _, d := range args.Destinations {
		objName := ObjectName(d.Host)
		backend, err := c.object(ctx, args.Target, agwAPIVersion, "AgentgatewayBackend",
			kube.Meta{Name: objName, Namespace: GatewayNamespace},
			map[string]any{
				"static":   map[string]any{"host": d.Host, "port": d.Port},
				"policies": c.backendPolicies(args, d),
			}, []pulumi.Resource{c.Namespace, c.CRDs}, c.proxyReady(args.Proxy))
		if err != nil {
			return err
		}
		// A route makes the waypoint forward the destination's traffic: it waits for the policies that guard
		// it, so even traffic already steered here (a ServiceEntry left from an earlier run) is never
		// forwarded unchecked.
		route, err := c.object(ctx, args.Target, gatewayAPIVersion, "HTTPRoute",
			kube.Meta{Name: objName, Namespace: GatewayNamespace},
			map[string]any{
				"parentRefs": []any{map[string]any{"name": GatewayName, "sectionName": ListenerName(d.ClientPort())}},
				"hostnames":  []any{d.Host},
				"rules": []any{map[string]any{
					"matches":     []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}},
					"backendRefs": []any{map[string]any{"group": agwGroup, "kind": "AgentgatewayBackend", "name": objName}},
				}},
			}, []pulumi.Resource{c.Gateway, backend}, c.guards())
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
	// The port clients call: plain HTTP even for a TLS destination, whose TLS the waypoint originates.
	port := d.ClientPort()
	portName := "http"
	if port != 80 {
		portName = fmt.Sprintf("http-%d", port)
	}
	// It waits for the Gateway, the route and the policies too: once it exists, traffic goes to the
	// waypoint, which must route it and must not let a request out before ext-authz and the L4 rule apply.
	return c.object(ctx, args.Target, "networking.istio.io/v1", "ServiceEntry",
		kube.Meta{Name: objName, Namespace: args.ClientNamespace, Labels: labels},
		map[string]any{
			"hosts":      []any{d.Host},
			"location":   "MESH_EXTERNAL",
			"resolution": "DNS",
			"ports":      []any{map[string]any{"number": port, "name": portName, "protocol": "HTTP"}},
		}, args.ClientDependsOn, args.ServiceEntryDependsOn, []pulumi.Resource{c.Gateway, route}, c.guards())
}

// guards are the policies that must be in force before the waypoint forwards anything: ext-authz (the L7
// decision), the mesh-identity rule (L4) and, when set, the proxy credentials.
func (c *AgentGateway) guards() []pulumi.Resource {
	guards := []pulumi.Resource{c.ExtAuthPolicy, c.IdentityPolicy}
	if c.ProxyPolicy != nil {
		guards = append(guards, c.ProxyPolicy)
	}
	return guards
}
