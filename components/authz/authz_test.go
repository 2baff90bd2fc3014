package authz

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

const (
	typeChartV4     = "kubernetes:helm.sh/v4:Chart"
	typeRelease     = "kubernetes:helm.sh/v3:Release"
	typeNamespace   = "kubernetes:core/v1:Namespace"
	typeEnvoyPolicy = "kubernetes:envoy.kyverno.io/v1alpha1:AuthorizationPolicy"
	typeCluster     = "kubernetes:kyverno.io/v1:ClusterPolicy"
	typeIstioPolicy = "kubernetes:security.istio.io/v1:AuthorizationPolicy"
)

type built struct {
	rec   *recorder.Recorder
	authz *KyvernoAuthz
	adm   *Admission
	l4    *L4Policy
}

func defaultAuthzArgs() *KyvernoAuthzArgs {
	return &KyvernoAuthzArgs{Namespace: "kyverno-authz", Header: "x-force-authorized", Allowed: []string{"enabled", "true"}}
}

func defaultL4Args() *L4PolicyArgs {
	return &L4PolicyArgs{
		Namespace:  "egress-gateway",
		Name:       "egress-kgateway-callers",
		Selector:   map[string]string{"gateway.networking.k8s.io/gateway-name": "egress-kgateway"},
		Principals: []string{"cluster.local/ns/egress-client/sa/curl-client"},
	}
}

// build runs all three components under testkit.Run with stand-ins for Istio base and the gateway's
// namespace. deletedWith=false models an existing cluster.
func build(t *testing.T, dryRun, deletedWith bool, authzArgs *KyvernoAuthzArgs, l4Args *L4PolicyArgs) (built, error) {
	t.Helper()
	var b built
	var err error
	b.rec, err = testkit.RunErr(t, dryRun, func(ctx *pulumi.Context, target kube.Target) error {
		if !deletedWith {
			target.DeletedWith = nil
		}
		istio := testkit.StandIn(t, ctx, "istio-base")
		authzArgs.Target, authzArgs.DependsOn = target, []pulumi.Resource{istio}
		var err error
		if b.authz, err = NewKyvernoAuthz(ctx, "authz", authzArgs); err != nil {
			return err
		}
		if b.adm, err = NewAdmission(ctx, "admission", &AdmissionArgs{Target: target, DependsOn: []pulumi.Resource{istio}}); err != nil {
			return err
		}
		l4Args.Target, l4Args.DependsOn = target, []pulumi.Resource{istio, testkit.StandIn(t, ctx, "gateway-namespace")}
		b.l4, err = NewL4Policy(ctx, "l4", l4Args)
		return err
	})
	return b, err
}

func mustBuild(t *testing.T) built {
	t.Helper()
	b, err := build(t, false, true, defaultAuthzArgs(), defaultL4Args())
	require.NoError(t, err)
	return b
}

func TestAuthorizationPolicyMatchesNotes(t *testing.T) {
	b := mustBuild(t)
	notes := testkit.NotesObject(t, "Ollama path", "AuthorizationPolicy")
	policy := testkit.One(t, b.rec, typeEnvoyPolicy)
	// failurePolicy Fail, the notes' two CEL variables for x-force-authorized / ["enabled", "true"], and the
	// authorization that returns a CheckResponse.
	assert.Equal(t, notes["spec"], policy.Plain()["spec"])
	assert.Equal(t, notes["apiVersion"], policy.Plain()["apiVersion"])
	meta := policy.Plain()["metadata"].(map[string]any)
	assert.NotContains(t, meta, "namespace", "cluster-scoped")
	assert.Equal(t, testkit.Dig(t, notes, "metadata", "name"), meta["name"])
	testkit.AssertValidAgainstCRDs(t, policy.Plain())
}

func TestAuthorizationPolicyFromArgs(t *testing.T) {
	args := defaultAuthzArgs()
	args.Header, args.Allowed = "X-Egress-Ticket", []string{"yes"}
	b, err := build(t, false, true, args, defaultL4Args())
	require.NoError(t, err)
	spec := testkit.Spec(t, b.rec, typeEnvoyPolicy)
	// Envoy passes header names lower-cased.
	assert.Equal(t, `object.attributes.request.http.?headers["x-egress-ticket"].orValue("")`, testkit.Dig(t, spec, "variables", 0, "expression"))
	assert.Equal(t, `variables.force_authorized in ["yes"]`, testkit.Dig(t, spec, "variables", 1, "expression"))
}

func TestAuthzChart(t *testing.T) {
	b := mustBuild(t)
	chart := testkit.One(t, b.rec, typeChartV4).Plain()
	assert.Equal(t, "kyverno-authz-server", chart["chart"])
	assert.Equal(t, "v0.1.0", chart["version"])
	assert.Equal(t, "https://kyverno.github.io/kyverno-envoy-plugin", testkit.Dig(t, chart, "repositoryOpts", "repo"))
	assert.Equal(t, "kyverno-authz", chart["namespace"])

	values := chart["values"].(map[string]any)
	assert.Equal(t, map[string]any{"registry": "ghcr.io", "repository": "kyverno/kyverno-envoy-plugin", "tag": "v0.1.0"},
		testkit.Dig(t, values, "containers", "server", "image"), "ghcr.io/kyverno/kyverno-envoy-plugin:v0.1.0")
	testkit.AssertValuesInChart(t, "kyverno-authz-server", "v0.1.0", values)
	defaults := testkit.ChartDefaults(t, "kyverno-authz-server", "v0.1.0")
	// gRPC stays on the chart's port everywhere: the component neither overrides it nor reports another.
	assert.NotContains(t, values, "service")
	assert.NotContains(t, testkit.Dig(t, values, "containers", "server"), "args")
	assert.NotContains(t, testkit.Dig(t, values, "containers", "server"), "ports")
	assert.Equal(t, testkit.Dig(t, defaults, "service", "port"), float64(b.authz.Port))
	assert.Equal(t, 9081, b.authz.Port)
	assert.Equal(t, "kyverno-authz-server", b.authz.ServiceName)
	assert.Equal(t, "kyverno-authz", b.authz.Namespace)

	ns := b.rec.OfType(typeNamespace)
	require.Len(t, ns, 1)
	assert.Equal(t, "kyverno-authz", testkit.Dig(t, ns[0].Plain(), "metadata", "name"))
	assert.True(t, b.rec.WaitsFor(testkit.One(t, b.rec, typeChartV4), ns[0]))
}

func TestAdmission(t *testing.T) {
	b := mustBuild(t)
	rel := testkit.One(t, b.rec, typeRelease).Plain()
	assert.Equal(t, "kyverno", rel["chart"])
	assert.Equal(t, "3.5.3", rel["version"]) // = Kyverno 1.15.3
	assert.Equal(t, "https://kyverno.github.io/kyverno/", testkit.Dig(t, rel, "repositoryOpts", "repo"))
	assert.Equal(t, "kyverno", rel["namespace"])
	assert.Equal(t, true, rel["createNamespace"])

	values := rel["values"].(map[string]any)
	assert.Equal(t, true, testkit.Dig(t, values, "admissionController", "crdWatcher"))
	assert.Equal(t, []any{map[string]any{"apiGroups": []any{"networking.istio.io"}, "resources": []any{"serviceentries"}}},
		testkit.Dig(t, values, "reportsController", "rbac", "clusterRole", "extraResources"))
	testkit.AssertValuesInChart(t, "kyverno", "3.5.3", values)

	notes := testkit.NotesObject(t, "Ollama path", "ClusterPolicy")
	policy := testkit.One(t, b.rec, typeCluster).Plain()
	// background false, one rule matching ServiceEntry, failureAction Enforce, label value "true".
	assert.Equal(t, notes["spec"], policy["spec"])
	assert.Equal(t, testkit.Dig(t, notes, "metadata", "name"), testkit.Dig(t, policy, "metadata", "name"))
	assert.NotContains(t, policy["spec"], "validationFailureAction", "deprecated")
	assert.Equal(t, "true", testkit.Dig(t, policy, "spec", "rules", 0, "validate", "pattern", "metadata", "labels", "security.corp/egress-approved"))
	testkit.AssertValidAgainstCRDs(t, policy)
}

func TestL4Policy(t *testing.T) {
	b := mustBuild(t)
	policy := testkit.One(t, b.rec, typeIstioPolicy).Plain()
	assert.Equal(t, "egress-gateway", testkit.Dig(t, policy, "metadata", "namespace"))
	assert.Equal(t, "egress-kgateway-callers", testkit.Dig(t, policy, "metadata", "name"))
	assert.Equal(t, map[string]any{
		"action":   "ALLOW",
		"selector": map[string]any{"matchLabels": map[string]any{"gateway.networking.k8s.io/gateway-name": "egress-kgateway"}},
		"rules": []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{
			"principals": []any{"cluster.local/ns/egress-client/sa/curl-client"},
		}}}}},
	}, policy["spec"])
	// Only attributes ztunnel can enforce: no `to` (methods, paths) and no `when` (request headers).
	assert.NotContains(t, testkit.JSON(policy["spec"]), `"to"`)
	assert.NotContains(t, testkit.JSON(policy["spec"]), `"when"`)
	testkit.AssertValidAgainstCRDs(t, policy)
}

func TestOrdering(t *testing.T) {
	b := mustBuild(t)
	istio := b.rec.Named("istio-base")
	chart, envoyPolicy := testkit.One(t, b.rec, typeChartV4), testkit.One(t, b.rec, typeEnvoyPolicy)
	release, clusterPolicy := testkit.One(t, b.rec, typeRelease), testkit.One(t, b.rec, typeCluster)

	assert.True(t, b.rec.WaitsFor(envoyPolicy, chart), "AuthorizationPolicy after the chart that ships its CRD")
	assert.True(t, b.rec.WaitsFor(chart, istio), "authz server after its DependsOn")
	assert.True(t, b.rec.WaitsFor(release, istio), "Kyverno after Istio base")
	assert.True(t, b.rec.WaitsFor(clusterPolicy, release), "ClusterPolicy after Kyverno")
	assert.True(t, b.rec.WaitsFor(clusterPolicy, istio), "ClusterPolicy after the ServiceEntry CRD")
	l4 := testkit.One(t, b.rec, typeIstioPolicy)
	assert.True(t, b.rec.WaitsFor(l4, istio))
	assert.True(t, b.rec.WaitsFor(l4, b.rec.Named("gateway-namespace")))
	assert.False(t, b.rec.WaitsFor(release, clusterPolicy))
}

func TestParentingProviderDeletedWith(t *testing.T) {
	for _, deletedWith := range []bool{true, false} {
		b, err := build(t, false, deletedWith, defaultAuthzArgs(), defaultL4Args())
		require.NoError(t, err)
		provider, owner := b.rec.Named("k8s"), b.rec.Named("kind")
		for comp, kids := range map[string][]string{
			"egress-mesh:authz:KyvernoAuthz": {typeNamespace, typeChartV4, typeEnvoyPolicy},
			"egress-mesh:authz:Admission":    {typeRelease, typeCluster},
			"egress-mesh:authz:L4Policy":     {typeIstioPolicy},
		} {
			parent := testkit.One(t, b.rec, comp)
			children := b.rec.Children(parent)
			assert.Len(t, children, len(kids), comp)
			for _, typ := range kids {
				res := testkit.One(t, b.rec, typ)
				assert.Equal(t, parent.URN, res.Parent, res.Name)
				assert.Truef(t, strings.HasPrefix(res.Provider, provider.URN+"::"), "%s uses the cluster's provider", res.Name)
				if deletedWith {
					assert.Equal(t, owner.URN, res.DeletedWith, res.Name)
				} else {
					assert.Empty(t, res.DeletedWith, res.Name)
				}
			}
		}
	}
}

func TestDryRun(t *testing.T) {
	b, err := build(t, true, true, defaultAuthzArgs(), defaultL4Args())
	require.NoError(t, err)
	assert.NotNil(t, b.authz.Chart)
	assert.NotNil(t, b.authz.Policy)
	assert.NotNil(t, b.adm.Release)
	assert.NotNil(t, b.adm.Policy)
	assert.NotNil(t, b.l4.Policy)
}

func TestNoLoadBalancer(t *testing.T) {
	b := mustBuild(t)
	for _, res := range b.rec.All() {
		assert.NotContains(t, testkit.JSON(res.Plain()), `"type":"LoadBalancer"`, res.Name)
	}
}

func TestValidation(t *testing.T) {
	authzCases := map[string]func(*KyvernoAuthzArgs){
		"empty allowed value lets a missing header through": func(a *KyvernoAuthzArgs) { a.Allowed = []string{"true", ""} },
		"no allowed values": func(a *KyvernoAuthzArgs) { a.Allowed = nil },
		"no header":         func(a *KyvernoAuthzArgs) { a.Header = "" },
		"no namespace":      func(a *KyvernoAuthzArgs) { a.Namespace = "" },
	}
	for name, mutate := range authzCases {
		t.Run(name, func(t *testing.T) {
			args := defaultAuthzArgs()
			mutate(args)
			_, err := build(t, false, true, args, defaultL4Args())
			require.Error(t, err)
		})
	}
	l4Cases := map[string]func(*L4PolicyArgs){
		"spiffe scheme":   func(a *L4PolicyArgs) { a.Principals = []string{"spiffe://cluster.local/ns/a/sa/b"} },
		"no principals":   func(a *L4PolicyArgs) { a.Principals = nil },
		"no selector":     func(a *L4PolicyArgs) { a.Selector = nil },
		"not an identity": func(a *L4PolicyArgs) { a.Principals = []string{"curl-client"} },
	}
	for name, mutate := range l4Cases {
		t.Run(name, func(t *testing.T) {
			args := defaultL4Args()
			mutate(args)
			_, err := build(t, false, true, defaultAuthzArgs(), args)
			require.Error(t, err)
		})
	}
}
