package agentgateway

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/versions"
)

const chartType = "kubernetes:helm.sh/v4:Chart"

func TestChartsInstallInOrderIntoTheSystemNamespace(t *testing.T) {
	rec, _ := fixture{}.run(t)
	crds := rec.Find(chartType, "agentgateway-crds")
	ctrl := rec.Find(chartType, "agentgateway-controller")
	require.NotNil(t, crds)
	require.NotNil(t, ctrl)
	for _, c := range []struct {
		res            *recorder.Resource
		chart, release string
	}{{crds, versions.AgentGatewayCRDs.Name, "agentgateway-crds"}, {ctrl, versions.AgentGatewayController.Name, "agentgateway"}} {
		assert.Equal(t, c.chart, testkit.Input(t, c.res, "chart"))
		assert.Equal(t, "v1.4.1", testkit.Input(t, c.res, "version"))
		assert.Equal(t, c.release, testkit.Input(t, c.res, "name"))
		assert.Equal(t, "agentgateway-system", testkit.Input(t, c.res, "namespace"))
		assert.True(t, rec.WaitsFor(c.res, rec.Named("ns-agentgateway-system")))
	}
	assert.True(t, rec.WaitsFor(ctrl, rec.Named(gatewayAPIName)), "the controller watches Gateway API kinds")
	assert.False(t, rec.WaitsFor(crds, rec.Named(gatewayAPIName)), "the CRDs need nothing but their namespace")
	assert.True(t, rec.WaitsFor(ctrl, crds))
	assert.Equal(t, map[string]any{"gatewayClassName": "agentgateway"}, testkit.Input(t, ctrl, "values"))
}

// TestControllerValuesExistInTheChart checks every value the controller chart receives against the chart's
// pinned defaults: Helm silently drops unknown keys.
func TestControllerValuesExistInTheChart(t *testing.T) {
	rec, _ := fixture{}.run(t)
	values, _ := testkit.Input(t, rec.Find(chartType, "agentgateway-controller"), "values").(map[string]any)
	require.NotEmpty(t, values)
	testkit.AssertValuesInChart(t, "agentgateway", versions.AgentGateway, values)
	defaults := testkit.ChartDefaults(t, "agentgateway", versions.AgentGateway)
	for key, v := range values {
		_, isString := v.(string)
		_, defaultString := defaults[key].(string)
		assert.True(t, isString && defaultString, "%s: only top-level strings are set; extend this check for more", key)
	}
}

func TestGatewayIsAnAmbientWaypointOutsideTheMesh(t *testing.T) {
	rec, comp := fixture{}.run(t)
	ns := rec.Find("kubernetes:core/v1:Namespace", "ns-agentgateway-egress")
	require.NotNil(t, ns)
	_, labelled := ns.Input("metadata.labels")
	assert.False(t, labelled, "the gateway namespace stays out of the mesh")

	params := object(t, rec, "AgentgatewayParameters", "agentgateway-egress", "egress-params")
	assert.Equal(t, map[string]any{
		"istio":   map[string]any{"enabled": true},
		"service": map[string]any{"spec": map[string]any{"type": "ClusterIP"}},
	}, testkit.Input(t, params, "spec"))

	gw := object(t, rec, "Gateway", "agentgateway-egress", "egress-gateway")
	assert.Equal(t, "gateway.networking.k8s.io/v1", testkit.Input(t, gw, "apiVersion"))
	assert.Equal(t, map[string]any{"istio.io/waypoint-for": "service"}, testkit.Input(t, gw, "metadata.labels"))
	assert.Equal(t, map[string]any{"agentgateway.dev/internal-ports": "80"}, testkit.Input(t, gw, "metadata.annotations"))
	assert.Equal(t, map[string]any{
		"gatewayClassName": "agentgateway",
		"infrastructure": map[string]any{"parametersRef": map[string]any{
			"group": "agentgateway.dev", "kind": "AgentgatewayParameters", "name": "egress-params"}},
		"listeners": []any{
			map[string]any{"name": "mesh", "port": 15008.0, "protocol": "HBONE",
				"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}}},
			map[string]any{"name": "inner-http", "port": 80.0, "protocol": "HTTP",
				"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}}},
		},
	}, testkit.Input(t, gw, "spec"))
	assert.True(t, rec.WaitsFor(gw, params))
	assert.True(t, rec.WaitsFor(gw, rec.Find(chartType, "agentgateway-controller")))
	assert.True(t, rec.WaitsFor(params, rec.Find(chartType, "agentgateway-crds")))
	assert.Equal(t, "egress-gateway.agentgateway-egress.svc.cluster.local", comp.Address)
}

func TestOneInnerListenerPerDestinationPort(t *testing.T) {
	rec, _ := fixture{dests: []Destination{{"httpbingo.org", 80, false}, {"api.example.com", 8080, false}, {"example.org", 80, false}}}.run(t)
	gw := object(t, rec, "Gateway", "agentgateway-egress", "egress-gateway")
	assert.Equal(t, "80,8080", testkit.Input(t, gw, "metadata.annotations").(map[string]any)["agentgateway.dev/internal-ports"])
	var names []any
	for _, l := range testkit.Input(t, gw, "spec.listeners").([]any) {
		names = append(names, l.(map[string]any)["name"])
	}
	assert.Equal(t, []any{"mesh", "inner-http", "inner-http-8080"}, names)
	route := object(t, rec, "HTTPRoute", "agentgateway-egress", "api-example-com")
	assert.Equal(t, "inner-http-8080", testkit.Input(t, route, "spec.parentRefs").([]any)[0].(map[string]any)["sectionName"])
	se := object(t, rec, "ServiceEntry", "ns1", "api-example-com")
	assert.Equal(t, []any{map[string]any{"number": 8080.0, "name": "http-8080", "protocol": "HTTP"}}, testkit.Input(t, se, "spec.ports"))
	assert.Len(t, customObjects(rec), 4+2+3*3, "parameters, gateway, 2 policies, 2 grants + per destination backend, route, entry")
}

func TestDestinationTunnelsThroughTheSquidService(t *testing.T) {
	rec, _ := fixture{}.run(t)
	be := object(t, rec, "AgentgatewayBackend", "agentgateway-egress", "httpbingo-org")
	assert.Equal(t, map[string]any{
		"static": map[string]any{"host": "httpbingo.org", "port": 80.0},
		"policies": map[string]any{"tunnel": map[string]any{"backendRef": map[string]any{
			"kind": "Service", "name": "squid", "namespace": "proxy", "port": 3128.0}}},
	}, testkit.Input(t, be, "spec"))
	assert.True(t, rec.WaitsFor(be, rec.Named(squidServiceName)), "Squid before what points at it")
	assert.Nil(t, rec.Named("agentgatewaybackend-agentgateway-egress-squid-proxy"))

	grant := object(t, rec, "ReferenceGrant", "proxy", "allow-agentgateway-egress-squid")
	assert.Equal(t, map[string]any{
		"from": []any{map[string]any{"group": "agentgateway.dev", "kind": "AgentgatewayBackend", "namespace": "agentgateway-egress"}},
		"to":   []any{map[string]any{"group": "", "kind": "Service", "name": "squid"}},
	}, testkit.Input(t, grant, "spec"))
	assert.True(t, rec.WaitsFor(be, grant))

	route := object(t, rec, "HTTPRoute", "agentgateway-egress", "httpbingo-org")
	assert.Equal(t, map[string]any{
		"parentRefs": []any{map[string]any{"name": "egress-gateway", "sectionName": "inner-http"}},
		"hostnames":  []any{"httpbingo.org"},
		"rules": []any{map[string]any{
			"matches":     []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}},
			"backendRefs": []any{map[string]any{"group": "agentgateway.dev", "kind": "AgentgatewayBackend", "name": "httpbingo-org"}},
		}},
	}, testkit.Input(t, route, "spec"))
	assert.True(t, rec.WaitsFor(route, be))
}

func TestServiceEntrySteersTheClientToTheWaypoint(t *testing.T) {
	rec, _ := fixture{}.run(t)
	se := object(t, rec, "ServiceEntry", "ns1", "httpbingo-org")
	assert.Equal(t, "networking.istio.io/v1", testkit.Input(t, se, "apiVersion"))
	assert.Equal(t, map[string]any{
		"istio.io/use-waypoint":           "egress-gateway",
		"istio.io/use-waypoint-namespace": "agentgateway-egress",
	}, testkit.Input(t, se, "metadata.labels"), "no approval label without Kyverno")
	assert.Equal(t, map[string]any{
		"hosts":      []any{"httpbingo.org"},
		"location":   "MESH_EXTERNAL",
		"resolution": "DNS",
		"ports":      []any{map[string]any{"number": 80.0, "name": "http", "protocol": "HTTP"}},
	}, testkit.Input(t, se, "spec"))
	for _, earlier := range []string{istioBaseName, clientNSName} {
		assert.True(t, rec.WaitsFor(se, rec.Named(earlier)), earlier)
	}
	for _, kindName := range [][3]string{
		{"Gateway", "agentgateway-egress", "egress-gateway"},
		{"HTTPRoute", "agentgateway-egress", "httpbingo-org"},
		{"AgentgatewayPolicy", "agentgateway-egress", "egress-extauth"},
		{"AgentgatewayPolicy", "agentgateway-egress", "mesh-identity-only"},
	} {
		assert.True(t, rec.WaitsFor(se, object(t, rec, kindName[0], kindName[1], kindName[2])), kindName[2])
	}
}

func TestKyvernoApprovalLabelAndOrder(t *testing.T) {
	rec, _ := fixture{kyverno: true}.run(t)
	se := object(t, rec, "ServiceEntry", "ns1", "httpbingo-org")
	assert.Equal(t, "true", testkit.Input(t, se, "metadata.labels").(map[string]any)["security.corp/egress-approved"])
	assert.True(t, rec.WaitsFor(se, rec.Named(clusterPolicy)), "the ClusterPolicy must exist before any ServiceEntry")
}

func TestProxyByAddressGetsAStaticBackend(t *testing.T) {
	rec, _ := fixture{proxyMode: "address"}.run(t)
	proxy := object(t, rec, "AgentgatewayBackend", "agentgateway-egress", "squid-proxy")
	assert.Equal(t, map[string]any{"static": map[string]any{"host": proxyAddress, "port": 3128.0}}, testkit.Input(t, proxy, "spec"))
	assert.True(t, rec.WaitsFor(proxy, rec.Named(squidContainer)))
	be := object(t, rec, "AgentgatewayBackend", "agentgateway-egress", "httpbingo-org")
	assert.Equal(t, map[string]any{"group": "agentgateway.dev", "kind": "AgentgatewayBackend", "name": "squid-proxy"},
		testkit.Input(t, be, "spec.policies.tunnel.backendRef"))
	assert.True(t, rec.WaitsFor(be, proxy))
	for _, g := range customObjects(rec) {
		k, _ := g.Input("kind")
		ns, _ := g.Input("metadata.namespace")
		if k.StringValue() == "ReferenceGrant" {
			assert.NotEqual(t, "proxy", ns.StringValue(), "no grant needed within the gateway namespace")
		}
	}
}

func TestExtAuthAndIdentityPolicies(t *testing.T) {
	rec, _ := fixture{}.run(t)
	gwRef := []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "egress-gateway"}}

	ea := object(t, rec, "AgentgatewayPolicy", "agentgateway-egress", "egress-extauth")
	assert.Equal(t, map[string]any{
		"targetRefs": gwRef,
		"traffic": map[string]any{"extAuth": map[string]any{
			"backendRef":  map[string]any{"name": "ext-authz", "namespace": "ext-authz", "port": 9000.0},
			"grpc":        map[string]any{},
			"failureMode": "FailClosed",
		}},
	}, testkit.Input(t, ea, "spec"))
	assert.True(t, rec.WaitsFor(ea, rec.Named(extAuthzService)), "ext-authz before the policy pointing at it")
	grant := object(t, rec, "ReferenceGrant", "ext-authz", "allow-agentgateway-egress-ext-authz")
	assert.Equal(t, []any{map[string]any{"group": "agentgateway.dev", "kind": "AgentgatewayPolicy", "namespace": "agentgateway-egress"}},
		testkit.Input(t, grant, "spec.from"))
	assert.True(t, rec.WaitsFor(ea, grant))

	id := object(t, rec, "AgentgatewayPolicy", "agentgateway-egress", "mesh-identity-only")
	assert.Equal(t, map[string]any{
		"targetRefs": gwRef,
		"frontend": map[string]any{"networkAuthorization": map[string]any{
			"action": "Require",
			"policy": map[string]any{"matchExpressions": []any{`source.identity.namespace == "ns1"`}},
		}},
	}, testkit.Input(t, id, "spec"))
}

// secretFree fails on any non-secret string holding the password or the encoded credentials.
func secretFree(t *testing.T, rec *recorder.Recorder) {
	t.Helper()
	testkit.AssertNoPlainText(t, rec, password, base64.StdEncoding.EncodeToString([]byte("egress:"+password)))
}

func TestProxyCredentialsGoToTheProxyAsBasic(t *testing.T) {
	for _, tc := range []struct {
		mode, ns string
		target   map[string]any
		ready    string
	}{
		{"service", "proxy", map[string]any{"group": "", "kind": "Service", "name": "squid"}, squidServiceName},
		{"address", "agentgateway-egress", map[string]any{"group": "agentgateway.dev", "kind": "AgentgatewayBackend", "name": "squid-proxy"}, squidContainer},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			rec, _ := fixture{proxyMode: tc.mode, auth: true}.run(t)
			secret := rec.Find("kubernetes:core/v1:Secret", "agentgateway-proxy-credentials")
			require.NotNil(t, secret)
			assert.Equal(t, tc.ns, testkit.Input(t, secret, "metadata.namespace"))
			assert.Equal(t, "squid-credentials", testkit.Input(t, secret, "metadata.name"))
			data := secret.Inputs["stringData"]
			require.True(t, data.IsSecret() || (data.IsOutput() && data.OutputValue().Secret), "credentials stay a Pulumi secret")
			assert.Equal(t, base64.StdEncoding.EncodeToString([]byte("egress:"+password)), testkit.Input(t, secret, "stringData.Authorization"))

			pol := object(t, rec, "AgentgatewayPolicy", tc.ns, "squid-proxy-auth")
			assert.Equal(t, map[string]any{
				"targetRefs": []any{tc.target},
				"backend": map[string]any{"auth": map[string]any{
					"secretRef": map[string]any{"name": "squid-credentials"},
					"location":  map[string]any{"header": map[string]any{"name": "Proxy-Authorization", "prefix": "Basic "}},
				}},
			}, testkit.Input(t, pol, "spec"))
			assert.True(t, rec.WaitsFor(pol, secret))
			assert.True(t, rec.WaitsFor(pol, rec.Named(tc.ready)))
			assert.True(t, rec.WaitsFor(object(t, rec, "ServiceEntry", "ns1", "httpbingo-org"), pol))

			// Never on a destination: its backend carries only the tunnel.
			be := object(t, rec, "AgentgatewayBackend", "agentgateway-egress", "httpbingo-org")
			_, hasAuth := be.Input("spec.policies.auth")
			assert.False(t, hasAuth)
			for _, p := range customObjects(rec) {
				if k, _ := p.Input("kind"); k.StringValue() == "AgentgatewayPolicy" && p.Name != pol.Name {
					_, hasAuth := p.Input("spec.backend")
					assert.False(t, hasAuth, p.Name)
				}
			}
			secretFree(t, rec)
		})
	}
}

func TestNoCredentialsNoSecret(t *testing.T) {
	rec, _ := fixture{}.run(t)
	assert.Empty(t, rec.OfType("kubernetes:core/v1:Secret"))
	assert.Nil(t, rec.Named("agentgatewaypolicy-proxy-squid-proxy-auth"))
}

func TestEveryChildIsParentedAndUsesTheProvider(t *testing.T) {
	rec, _ := fixture{auth: true}.run(t)
	comp := rec.Find("egress-mesh:agentgateway:AgentGateway", "agentgateway")
	require.NotNil(t, comp)
	children := rec.Children(comp)
	require.NotEmpty(t, children)
	for _, c := range children {
		assert.True(t, strings.Contains(c.Provider, "k8s") || c.Type == chartType, c.Name)
	}
	for _, svc := range rec.OfType("kubernetes:core/v1:Service") {
		typ, _ := svc.Input("spec.type")
		assert.NotEqual(t, "LoadBalancer", typ.StringValue())
	}
}

func TestProxyMustBeServiceOrAddress(t *testing.T) {
	_, err := testkit.Program(false, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "agentgateway", &Args{ClientNamespace: "ns1",
			Destinations: []Destination{{"httpbingo.org", 80, false}}})
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exactly one of Service or Host")
}
