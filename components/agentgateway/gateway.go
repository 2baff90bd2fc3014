package agentgateway

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Label and annotation keys Istio and agentgateway act on.
const (
	waypointFor       = "istio.io/waypoint-for"
	useWaypoint       = "istio.io/use-waypoint"
	useWaypointNS     = "istio.io/use-waypoint-namespace"
	internalPorts     = "agentgateway.dev/internal-ports"
	approvalLabel     = "security.corp/egress-approved"
	gatewayAPIVersion = "gateway.networking.k8s.io/v1"
	agwAPIVersion     = "agentgateway.dev/v1alpha1"
	agwGroup          = "agentgateway.dev"
	gatewayGroup      = "gateway.networking.k8s.io"
)

// ports are the distinct ports clients call the destinations on, sorted: one inner listener each.
func ports(dests []Destination) []int {
	var out []int
	for _, d := range dests {
		if !slices.Contains(out, d.ClientPort()) {
			out = append(out, d.ClientPort())
		}
	}
	slices.Sort(out)
	return out
}

// ListenerName is the inner listener for a destination port: `inner-http` for 80, as in agentgateway's
// ambient egress guide, `inner-http-<port>` otherwise.
func ListenerName(port int) string {
	if port == 80 {
		return "inner-http"
	}
	return fmt.Sprintf("inner-http-%d", port)
}

// gateway declares the parameters and the waypoint Gateway.
func (c *AgentGateway) gateway(ctx *pulumi.Context, name string, args *Args) error {
	inGW := []pulumi.Resource{c.Namespace, c.CRDs}
	var err error
	if c.Parameters, err = c.object(ctx, args.Target, agwAPIVersion, "AgentgatewayParameters",
		kube.Meta{Name: ParametersName, Namespace: GatewayNamespace},
		map[string]any{
			// The proxy speaks HBONE with Istio's certificates itself, so it can be the waypoint.
			"istio": map[string]any{"enabled": true},
			// The chart's default LoadBalancer never gets an address on kind, and Istio only treats a
			// Gateway with an address as a waypoint.
			"service": map[string]any{"spec": map[string]any{"type": "ClusterIP"}},
		}, inGW); err != nil {
		return err
	}

	listeners := []any{listener("mesh", HBONEPort, "HBONE")}
	var internal []string
	for _, p := range ports(args.Destinations) {
		listeners = append(listeners, listener(ListenerName(p), p, "HTTP"))
		internal = append(internal, strconv.Itoa(p))
	}
	c.Gateway, err = c.object(ctx, args.Target, gatewayAPIVersion, "Gateway", kube.Meta{
		Name:      GatewayName,
		Namespace: GatewayNamespace,
		// Istio uses it as the waypoint for services (the ServiceEntries) that name it.
		Labels: map[string]string{waypointFor: "service"},
		// The inner listeners only route what arrives over HBONE: no socket, no Service port of their own.
		Annotations: map[string]string{internalPorts: strings.Join(internal, ",")},
	}, map[string]any{
		"gatewayClassName": GatewayClass,
		"infrastructure": map[string]any{"parametersRef": map[string]any{
			"group": agwGroup, "kind": "AgentgatewayParameters", "name": ParametersName,
		}},
		"listeners": listeners,
	}, inGW, []pulumi.Resource{c.Parameters, c.Controller}, args.DependsOn)
	return err
}

func listener(name string, port int, protocol string) map[string]any {
	return map[string]any{
		"name": name, "port": port, "protocol": protocol,
		// Routes and client traffic come from other namespaces.
		"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}},
	}
}
