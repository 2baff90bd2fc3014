package agentgateway

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

// A TLS destination: clients call it in plain HTTP on 80 (the waypoint must read the request for ext-authz),
// the waypoint originates TLS to host:443 inside the Squid tunnel. In agentgateway v1.4.1 a backend with
// `policies.tls` is dialled with "CONNECT for non-plaintext HTTP" and then TLS-handshaken with the target's
// name (crates/agentgateway/src/client/mod.rs), so Squid sees `CONNECT api.example.com:443`.
func TestTLSDestinationIsPlainForTheClientAndTLSFromTheWaypoint(t *testing.T) {
	rec, _ := fixture{dests: []Destination{{"httpbingo.org", 80, false}, {"api.example.com", 443, true}}}.run(t)

	be := object(t, rec, "AgentgatewayBackend", "agentgateway-egress", "api-example-com")
	assert.Equal(t, map[string]any{"host": "api.example.com", "port": 443.0}, testkit.Input(t, be, "spec.static"))
	assert.Equal(t, map[string]any{"sni": "api.example.com"}, testkit.Input(t, be, "spec.policies.tls"))
	assert.Equal(t, map[string]any{"kind": "Service", "name": "squid", "namespace": "proxy", "port": 3128.0},
		testkit.Input(t, be, "spec.policies.tunnel.backendRef"), "TLS goes through the proxy too")

	route := object(t, rec, "HTTPRoute", "agentgateway-egress", "api-example-com")
	assert.Equal(t, "inner-http", testkit.Input(t, route, "spec.parentRefs").([]any)[0].(map[string]any)["sectionName"])
	se := object(t, rec, "ServiceEntry", "ns1", "api-example-com")
	assert.Equal(t, []any{map[string]any{"number": 80.0, "name": "http", "protocol": "HTTP"}}, testkit.Input(t, se, "spec.ports"))

	gw := object(t, rec, "Gateway", "agentgateway-egress", "egress-gateway")
	assert.Equal(t, "80", testkit.Input(t, gw, "metadata.annotations").(map[string]any)["agentgateway.dev/internal-ports"],
		"no listener on 443: nothing arrives there in TLS")
	assert.Len(t, testkit.Input(t, gw, "spec.listeners"), 2, "mesh and inner-http")

	// Negative control: the plain destination beside it carries no TLS.
	plain := object(t, rec, "AgentgatewayBackend", "agentgateway-egress", "httpbingo-org")
	_, hasTLS := plain.Input("spec.policies.tls")
	assert.False(t, hasTLS)
}

func TestTLSDestinationNeedsAName(t *testing.T) {
	_, err := testkit.Program(false, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "agentgateway", &Args{ClientNamespace: "ns1",
			Proxy:        TunnelProxy{Host: pulumi.String("172.18.0.9"), Port: 3128},
			Destinations: []Destination{{"10.1.2.3", 443, true}}})
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs a DNS name")
}

// Issue 9 item 3: no route and no ServiceEntry before both policies. A route would make the waypoint forward
// whatever reaches it (a ServiceEntry left from an earlier run steers traffic there already).
func TestRoutesAndEntriesWaitForThePolicies(t *testing.T) {
	rec, _ := fixture{auth: true, dests: []Destination{{"httpbingo.org", 80, false}, {"api.example.com", 443, true}}}.run(t)
	extAuth := object(t, rec, "AgentgatewayPolicy", "agentgateway-egress", "egress-extauth")
	identity := object(t, rec, "AgentgatewayPolicy", "agentgateway-egress", "mesh-identity-only")
	proxyAuth := object(t, rec, "AgentgatewayPolicy", "proxy", "squid-proxy-auth")
	for _, name := range []string{"httpbingo-org", "api-example-com"} {
		route := object(t, rec, "HTTPRoute", "agentgateway-egress", name)
		entry := object(t, rec, "ServiceEntry", "ns1", name)
		assert.True(t, rec.WaitsFor(route, extAuth), "route %s after ext-authz", name)
		assert.True(t, rec.WaitsFor(route, identity), "route %s after the identity policy", name)
		assert.True(t, rec.WaitsFor(route, proxyAuth), "route %s after the proxy credentials", name)
		assert.True(t, rec.WaitsFor(entry, extAuth), "entry %s after ext-authz", name)
		assert.True(t, rec.WaitsFor(entry, identity), "entry %s after the identity policy", name)
		// Negative control: the edges point one way only (the policies do not wait for traffic objects).
		assert.False(t, rec.WaitsFor(extAuth, route), name)
		assert.False(t, rec.WaitsFor(identity, entry), name)
	}
	assert.True(t, rec.WaitsFor(extAuth, rec.Named(extAuthzService)), "the ext-authz server before the policy pointing at it")
}
