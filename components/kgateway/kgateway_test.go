package kgateway

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Resource types as the engine sees them.
const (
	typeChart     = "kubernetes:helm.sh/v4:Chart"
	typeNamespace = "kubernetes:core/v1:Namespace"
	typeGateway   = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
	typeRoute     = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
	typeTraffic   = "kubernetes:gateway.kgateway.dev/v1alpha1:TrafficPolicy"
	typeExtension = "kubernetes:gateway.kgateway.dev/v1alpha1:GatewayExtension"
	typeParams    = "kubernetes:gateway.kgateway.dev/v1alpha1:GatewayParameters"
	typeListener  = "kubernetes:gateway.kgateway.dev/v1alpha1:HTTPListenerPolicy"
	typeComponent = "egress-mesh:kgateway:KGateway"
)

// ollamaArgs are the notes' values for the Ollama path (the GatewayExtension moved beside the authz Service).
func ollamaArgs() *Args {
	return &Args{
		Namespace:        "egress-gateway",
		GatewayName:      "egress-kgateway",
		Port:             8080,
		Hostname:         "host.docker.internal",
		ServiceEntryName: "ollama-external-host",
		BackendPort:      11434,
		Retry:            RetryPolicy{Attempts: 3, PerTryTimeout: "10s", RequestTimeout: "30s", StatusCodes: []int{503, 504}},
		Authz:            AuthzRef{Name: "kyverno-authz-server", Namespace: "kyverno-authz", Port: 9081},
	}
}

type result struct {
	rec *recorder.Recorder
	kg  *KGateway
}

// run builds the component under testkit.Run with stand-ins for Gateway API CRDs, Istio base and the authz
// chart. deletedWith=false models an existing cluster.
func run(t *testing.T, dryRun, deletedWith bool, mutate func(*Args)) (result, error) {
	t.Helper()
	var kg *KGateway
	rec, err := testkit.RunErr(t, dryRun, func(ctx *pulumi.Context, target kube.Target) error {
		if !deletedWith {
			target.DeletedWith = nil
		}
		args := ollamaArgs()
		args.Target = target
		args.DependsOn = []pulumi.Resource{testkit.StandIn(t, ctx, "gateway-api-crds"), testkit.StandIn(t, ctx, "istio-base")}
		args.Authz.DependsOn = []pulumi.Resource{testkit.StandIn(t, ctx, "authz-chart")}
		if mutate != nil {
			mutate(args)
		}
		var err error
		kg, err = New(ctx, "ollama", args)
		return err
	})
	return result{rec, kg}, err
}

func mustRun(t *testing.T) result {
	t.Helper()
	r, err := run(t, false, true, nil)
	require.NoError(t, err)
	return r
}

func TestGatewayMatchesNotes(t *testing.T) {
	r := mustRun(t)
	notes := testkit.NotesObject(t, "Ollama path", "Gateway")
	spec := testkit.Spec(t, r.rec, typeGateway)
	assert.Equal(t, testkit.Dig(t, notes, "spec", "gatewayClassName"), spec["gatewayClassName"])
	assert.Equal(t, testkit.Dig(t, notes, "spec", "listeners"), spec["listeners"]) // name http, port 8080, from All
	gw := testkit.One(t, r.rec, typeGateway)
	assert.Equal(t, "egress-kgateway", testkit.Dig(t, gw.Plain(), "metadata", "name"))
	assert.Equal(t, "egress-gateway", testkit.Dig(t, gw.Plain(), "metadata", "namespace"))
	testkit.AssertValidAgainstCRDs(t, gw.Plain())
}

func TestRouteMatchesNotes(t *testing.T) {
	r := mustRun(t)
	notes := testkit.NotesObject(t, "Ollama path", "HTTPRoute")
	spec := testkit.Spec(t, r.rec, typeRoute)
	assert.Equal(t, testkit.Dig(t, notes, "spec", "parentRefs"), spec["parentRefs"]) // egress-kgateway, sectionName http
	assert.Equal(t, testkit.Dig(t, notes, "spec", "hostnames"), spec["hostnames"])
	// backendRef {group networking.istio.io, kind ServiceEntry, name ollama-external-host, port 11434}
	assert.Equal(t, testkit.Dig(t, notes, "spec", "rules"), spec["rules"])
	testkit.AssertValidAgainstCRDs(t, testkit.One(t, r.rec, typeRoute).Plain())
}

func TestTrafficPolicyMatchesNotes(t *testing.T) {
	r := mustRun(t)
	notes := testkit.NotesObject(t, "Ollama path", "TrafficPolicy")
	spec := testkit.Spec(t, r.rec, typeTraffic)

	target := testkit.Dig(t, spec, "targetRefs", 0).(map[string]any)
	assert.Equal(t, testkit.Dig(t, notes, "spec", "targetRefs", 0, "group"), target["group"])
	assert.Equal(t, testkit.Dig(t, notes, "spec", "targetRefs", 0, "kind"), target["kind"])
	assert.Equal(t, testkit.Dig(t, testkit.One(t, r.rec, typeRoute).Plain(), "metadata", "name"), target["name"], "targets the route")

	for _, field := range []string{"attempts", "perTryTimeout", "statusCodes"} { // 3, 10s, [503, 504]
		assert.Equal(t, testkit.Dig(t, notes, "spec", "retry", field), testkit.Dig(t, spec, "retry", field), field)
	}
	// Behind ztunnel a dead backend shows up as a reset after the request (UC), not a connect failure
	// (notes/behaviour.md; istio/ztunnel#1662): `reset` retries that, `connect-failure` a refused connection
	// (UF), `retriable-status-codes` the 503/504 responses. All three are in the CRD enum.
	assert.ElementsMatch(t, []any{"connect-failure", "reset", "retriable-status-codes"}, testkit.Dig(t, spec, "retry", "retryOn"))
	assert.Equal(t, testkit.Dig(t, notes, "spec", "timeouts"), spec["timeouts"]) // request 30s
	assert.Equal(t, testkit.Dig(t, notes, "spec", "extAuth", "extensionRef", "name"), testkit.Dig(t, spec, "extAuth", "extensionRef", "name"))
	assert.Equal(t, "kyverno-authz", testkit.Dig(t, spec, "extAuth", "extensionRef", "namespace"))
	testkit.AssertValidAgainstCRDs(t, testkit.One(t, r.rec, typeTraffic).Plain())
}

func TestRetryWithoutStatusCodesStillRetriesConnectFailures(t *testing.T) {
	r, err := run(t, false, true, func(a *Args) { a.Retry.StatusCodes = nil })
	require.NoError(t, err)
	retry := testkit.Dig(t, testkit.Spec(t, r.rec, typeTraffic), "retry").(map[string]any)
	assert.Equal(t, []any{"connect-failure", "reset"}, retry["retryOn"])
	assert.NotContains(t, retry, "statusCodes")

	r, err = run(t, false, true, func(a *Args) { a.Retry = RetryPolicy{} })
	require.NoError(t, err)
	assert.NotContains(t, testkit.Spec(t, r.rec, typeTraffic), "retry")
	assert.NotContains(t, testkit.Spec(t, r.rec, typeTraffic), "timeouts")
}

func TestGatewayExtensionMatchesNotes(t *testing.T) {
	r := mustRun(t)
	notes := testkit.NotesObject(t, "Ollama path", "GatewayExtension")
	// The notes' failOpen false and grpcService.backendRef {kyverno-authz-server, 9081}; without the notes'
	// `type: ExtAuth`, deprecated in v2.2.3's CRD ("exactly one of extAuth/extProc/rateLimit/jwt/oauth2").
	spec := testkit.Spec(t, r.rec, typeExtension)
	assert.NotContains(t, spec, "type")
	assert.Equal(t, testkit.Dig(t, notes, "spec", "extAuth", "failOpen"), testkit.Dig(t, spec, "extAuth", "failOpen"))
	assert.Equal(t, testkit.Dig(t, notes, "spec", "extAuth", "grpcService"), testkit.Dig(t, spec, "extAuth", "grpcService"))
	// An authz error must not look like a denial: the CRD's default statusOnError is 403, the deny's code.
	assert.Equal(t, float64(503), testkit.Dig(t, spec, "extAuth", "statusOnError"))
	meta := testkit.One(t, r.rec, typeExtension).Plain()["metadata"].(map[string]any)
	assert.Equal(t, "kyverno-authz-server", meta["name"])
	assert.Equal(t, "kyverno-authz", meta["namespace"], "beside the authz Service: no ReferenceGrant needed")
	testkit.AssertValidAgainstCRDs(t, testkit.One(t, r.rec, typeExtension).Plain())
}

func TestNoLoadBalancer(t *testing.T) {
	r := mustRun(t)
	params := testkit.One(t, r.rec, typeParams)
	assert.Equal(t, "ClusterIP", testkit.Dig(t, params.Plain(), "spec", "kube", "service", "type"))
	ref := testkit.Dig(t, testkit.Spec(t, r.rec, typeGateway), "infrastructure", "parametersRef").(map[string]any)
	assert.Equal(t, map[string]any{
		"group": "gateway.kgateway.dev", "kind": "GatewayParameters",
		"name": testkit.Dig(t, params.Plain(), "metadata", "name"),
	}, ref)
	assert.Equal(t, testkit.Dig(t, params.Plain(), "metadata", "namespace"), testkit.Dig(t, testkit.One(t, r.rec, typeGateway).Plain(), "metadata", "namespace"))
	testkit.AssertValidAgainstCRDs(t, params.Plain())

	for _, res := range r.rec.All() {
		assert.NotContains(t, testkit.JSON(res.Plain()), `"type":"LoadBalancer"`, res.Name)
	}
}

func TestAccessLog(t *testing.T) {
	r := mustRun(t)
	spec := testkit.Spec(t, r.rec, typeListener)
	assert.Equal(t, []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "egress-kgateway"}},
		spec["targetRefs"])
	sink := testkit.Dig(t, spec, "accessLog", 0, "fileSink").(map[string]any)
	assert.Equal(t, "/dev/stdout", sink["path"])
	format := sink["jsonFormat"].(map[string]any)
	for key, command := range map[string]string{ // the keys the verify step parses, with Envoy's operators
		"response_flags":                    "%RESPONSE_FLAGS%",
		"upstream_transport_failure_reason": "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
		"attempt_count":                     "%UPSTREAM_REQUEST_ATTEMPT_COUNT%",
		"method":                            "%REQ(:METHOD)%",
		"status":                            "%RESPONSE_CODE%",
		"authority":                         "%REQ(:AUTHORITY)%",
		"start_time":                        "%START_TIME%",
		"upstream_host":                     "%UPSTREAM_HOST%",
		"duration":                          "%DURATION%",
	} {
		assert.Equal(t, command, format[key], key)
	}
	assert.Contains(t, format["path"], "PATH")
	testkit.AssertValidAgainstCRDs(t, testkit.One(t, r.rec, typeListener).Plain())
}

func TestCharts(t *testing.T) {
	r := mustRun(t)
	charts := r.rec.OfType(typeChart)
	require.Len(t, charts, 2)
	byChart := map[string]*recorder.Resource{}
	for _, c := range charts {
		byChart[c.Plain()["chart"].(string)] = c
	}
	crds := byChart["oci://cr.kgateway.dev/kgateway-dev/charts/kgateway-crds"]
	controller := byChart["oci://cr.kgateway.dev/kgateway-dev/charts/kgateway"]
	require.NotNil(t, crds)
	require.NotNil(t, controller)
	for _, c := range []*recorder.Resource{crds, controller} {
		assert.Equal(t, "v2.2.3", c.Plain()["version"])
		assert.Equal(t, versions.KGateway, c.Plain()["version"])
		assert.Equal(t, "kgateway-system", c.Plain()["namespace"])
		assert.NotContains(t, c.Plain(), "repositoryOpts", "OCI charts need no repository")
	}
	assert.Equal(t, "kgateway", controller.Plain()["name"])

	values := controller.Plain()["values"].(map[string]any)
	assert.NotContains(t, values, "agentgateway", "removed from the chart in v2.2")
	assert.Equal(t, false, testkit.Dig(t, values, "waypoint", "enabled"))
	testkit.AssertValuesInChart(t, "kgateway", "v2.2.3", values)

	namespaces := map[string]map[string]any{}
	for _, ns := range r.rec.OfType(typeNamespace) {
		meta := ns.Plain()["metadata"].(map[string]any)
		labels, _ := meta["labels"].(map[string]any)
		namespaces[meta["name"].(string)] = labels
	}
	assert.Contains(t, namespaces, "kgateway-system")
	assert.Equal(t, map[string]any{"istio.io/dataplane-mode": "ambient"}, namespaces["egress-gateway"])
}

func TestOrdering(t *testing.T) {
	r := mustRun(t)
	crds, controller := r.rec.Named("ollama-crds"), r.rec.Named("ollama-controller")
	require.NotNil(t, crds)
	require.NotNil(t, controller)
	gwapi, istio, authz := r.rec.Named("gateway-api-crds"), r.rec.Named("istio-base"), r.rec.Named("authz-chart")

	assert.True(t, r.rec.WaitsFor(crds, gwapi), "kgateway CRDs after Gateway API CRDs")
	assert.True(t, r.rec.WaitsFor(crds, istio), "kgateway after Istio base (ServiceEntry CRD)")
	assert.True(t, r.rec.WaitsFor(controller, crds))
	for _, typ := range []string{typeGateway, typeRoute, typeTraffic, typeExtension, typeParams, typeListener} {
		obj := testkit.One(t, r.rec, typ)
		assert.True(t, r.rec.WaitsFor(obj, crds), "%s after the CRDs chart", typ)
		assert.True(t, r.rec.WaitsFor(obj, gwapi), "%s after Gateway API CRDs", typ)
		assert.True(t, r.rec.WaitsFor(obj, controller), "%s after the controller", typ)
	}
	ext, tp := testkit.One(t, r.rec, typeExtension), testkit.One(t, r.rec, typeTraffic)
	assert.True(t, r.rec.WaitsFor(ext, authz), "GatewayExtension after the authz server")
	assert.True(t, r.rec.WaitsFor(tp, ext), "TrafficPolicy after GatewayExtension")
	route := testkit.One(t, r.rec, typeRoute)
	// The route goes live last: never routed without ext-authz, retries and the access log in place.
	assert.True(t, r.rec.WaitsFor(route, tp), "HTTPRoute after its TrafficPolicy")
	assert.True(t, r.rec.WaitsFor(route, testkit.One(t, r.rec, typeListener)), "HTTPRoute after the access log")
	assert.False(t, r.rec.WaitsFor(tp, route), "the TrafficPolicy targets the route by name and comes first")
	assert.True(t, r.rec.WaitsFor(testkit.One(t, r.rec, typeGateway), testkit.One(t, r.rec, typeParams)), "Gateway after its parameters")
	// The charts must not wait for the egress objects (that would be a cycle in a real deployment).
	assert.False(t, r.rec.WaitsFor(crds, testkit.One(t, r.rec, typeGateway)))
	assert.False(t, r.rec.WaitsFor(crds, authz), "the CRDs do not wait for the authz server")
}

func TestParentingProviderDeletedWith(t *testing.T) {
	for _, deletedWith := range []bool{true, false} {
		r, err := run(t, false, deletedWith, nil)
		require.NoError(t, err)
		comp := testkit.One(t, r.rec, typeComponent)
		provider := r.rec.Named("k8s")
		owner := r.rec.Named("kind")
		children := r.rec.Children(comp)
		assert.Len(t, children, 10) // 2 namespaces, 2 charts, 6 objects
		for _, res := range children {
			assert.Truef(t, strings.HasPrefix(res.Provider, provider.URN+"::"), "%s uses the cluster's provider", res.Name)
			if deletedWith {
				assert.Equal(t, owner.URN, res.DeletedWith, res.Name)
			} else {
				assert.Empty(t, res.DeletedWith, res.Name)
			}
		}
		for _, typ := range []string{typeGateway, typeRoute, typeTraffic, typeExtension, typeParams, typeListener, typeChart, typeNamespace} {
			for _, res := range r.rec.OfType(typ) {
				assert.Equal(t, comp.URN, res.Parent, res.Name)
			}
		}
	}
}

func TestOutputs(t *testing.T) {
	for _, dryRun := range []bool{true, false} {
		r, err := run(t, dryRun, true, nil)
		require.NoError(t, err)
		assert.Equal(t, "egress-kgateway.egress-gateway.svc.cluster.local:8080", r.kg.Address)
		// The label the seed selects the proxy pod by: -l gateway.networking.k8s.io/gateway-name=egress-kgateway
		assert.Equal(t, map[string]string{"gateway.networking.k8s.io/gateway-name": "egress-kgateway"}, r.kg.PodSelector)
		for _, obj := range []any{r.kg.Gateway, r.kg.Route, r.kg.TrafficPolicy, r.kg.Extension, r.kg.AccessLog, r.kg.Parameters, r.kg.Namespace, r.kg.CRDs, r.kg.Controller} {
			assert.NotNil(t, obj)
		}
	}
}

func TestValidation(t *testing.T) {
	cases := map[string]func(*Args){
		"per-try not shorter":  func(a *Args) { a.Retry.PerTryTimeout = "30s" },
		"fractional duration":  func(a *Args) { a.Retry.PerTryTimeout = "1.5s" },
		"status code":          func(a *Args) { a.Retry.StatusCodes = []int{200} },
		"missing namespace":    func(a *Args) { a.Namespace = "" },
		"missing backend port": func(a *Args) { a.BackendPort = 0 },
		"missing authz":        func(a *Args) { a.Authz.Name = "" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := run(t, false, true, mutate)
			require.Error(t, err)
		})
	}
}
