package authz

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/versions"
)

const (
	typeRelease     = "kubernetes:helm.sh/v3:Release"
	typeNamespace   = "kubernetes:core/v1:Namespace"
	typeConfigMap   = "kubernetes:core/v1:ConfigMap"
	typeSA          = "kubernetes:core/v1:ServiceAccount"
	typeService     = "kubernetes:core/v1:Service"
	typeDeployment  = "kubernetes:apps/v1:Deployment"
	typeVPol        = "kubernetes:policies.kyverno.io/v1:ValidatingPolicy"
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

// envoyPolicy decodes the policy file the server mounts, as the server reads it.
func envoyPolicy(t *testing.T, b built) map[string]any {
	t.Helper()
	cm := testkit.One(t, b.rec, typeConfigMap).Plain()
	var policy map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(testkit.Dig(t, cm, "data", "policy.yaml").(string)), &policy))
	return policy
}

func TestEnvoyPolicy(t *testing.T) {
	b := mustBuild(t)
	policy := envoyPolicy(t, b)
	// kyverno-authz v0.4.0 evaluates ValidatingPolicies in Envoy mode only (website/docs/policies/
	// evaluation-mode.md: "must have its spec.evaluation.mode set to Envoy"), decoded as v1alpha1.
	assert.Equal(t, "policies.kyverno.io/v1alpha1", policy["apiVersion"])
	assert.Equal(t, "ValidatingPolicy", policy["kind"])
	assert.Equal(t, "Envoy", testkit.Dig(t, policy, "spec", "evaluation", "mode"))
	assert.Equal(t, "Fail", testkit.Dig(t, policy, "spec", "failurePolicy"))
	// "If all rules return null, the request is allowed by default" (envoy-policy-breakdown.md): the one
	// validation must answer both ways and never return null.
	validations := testkit.Dig(t, policy, "spec", "validations").([]any)
	require.Len(t, validations, 1)
	expr := testkit.Dig(t, validations[0], "expression").(string)
	assert.NotContains(t, expr, "null")
	assert.Contains(t, expr, "envoy.Allowed().Response()")
	assert.Contains(t, expr, `envoy.Denied(403).WithHeader("x-egress-authz", "denied")`)
	// The same document must be a valid object of the one ValidatingPolicy CRD in the cluster (Kyverno 1.19's).
	testkit.AssertValidAgainstCRDs(t, policy)
	// The policy is never a cluster object: Kyverno's own webhook would refuse an Envoy-mode ValidatingPolicy.
	assert.Empty(t, b.rec.OfType("kubernetes:policies.kyverno.io/v1alpha1:ValidatingPolicy"))
}

func TestEnvoyPolicyFromArgs(t *testing.T) {
	args := defaultAuthzArgs()
	args.Header, args.Allowed = "X-Egress-Ticket", []string{"yes"}
	b, err := build(t, false, true, args, defaultL4Args())
	require.NoError(t, err)
	policy := envoyPolicy(t, b)
	// Envoy passes header names lower-cased.
	assert.Equal(t, `object.attributes.request.http.headers[?"x-egress-ticket"].orValue("")`,
		testkit.Dig(t, policy, "spec", "variables", 0, "expression"))
	assert.Equal(t, `variables.header in ["yes"]`, testkit.Dig(t, policy, "spec", "variables", 1, "expression"))
}

func TestAuthzServer(t *testing.T) {
	b := mustBuild(t)
	dep := testkit.One(t, b.rec, typeDeployment).Plain()
	pod := testkit.Dig(t, dep, "spec", "template", "spec").(map[string]any)
	container := testkit.Dig(t, pod, "containers", 0).(map[string]any)
	assert.Equal(t, versions.KyvernoAuthzImage, container["image"])
	assert.True(t, strings.HasPrefix(versions.KyvernoAuthzImage, "ghcr.io/kyverno/kyverno-authz:"), "the renamed project's image")

	args := testkit.JSON(container["args"])
	assert.Contains(t, args, `"serve","envoy","authz-server"`, "the Envoy (gRPC) server, as the chart's config.type: envoy runs it")
	assert.Contains(t, args, `"--kube-policy-source=false"`)
	// The file source must be the directory the policy ConfigMap is mounted at.
	mount := testkit.Dig(t, container, "volumeMounts", 0).(map[string]any)
	assert.Contains(t, args, `"--external-policy-source=file://`+mount["mountPath"].(string)+`"`)
	volume := testkit.Dig(t, pod, "volumes", 0).(map[string]any)
	assert.Equal(t, mount["name"], volume["name"])
	cm := testkit.One(t, b.rec, typeConfigMap).Plain()
	assert.Equal(t, testkit.Dig(t, cm, "metadata", "name"), testkit.Dig(t, volume, "configMap", "name"))

	// The Service's target port is the container port the server listens on with --grpc-address.
	svc := testkit.One(t, b.rec, typeService).Plain()
	port := testkit.Dig(t, svc, "spec", "ports", 0).(map[string]any)
	assert.Equal(t, "grpc", port["name"])
	assert.Equal(t, float64(b.authz.Port), port["port"])
	var listening float64
	for _, p := range container["ports"].([]any) {
		if p.(map[string]any)["name"] == port["targetPort"] {
			listening = p.(map[string]any)["containerPort"].(float64)
		}
	}
	assert.Equal(t, float64(b.authz.Port), listening)
	assert.Contains(t, args, fmt.Sprintf(`"--grpc-address=:%d"`, int(listening)))
	assert.Equal(t, testkit.Dig(t, svc, "spec", "selector"), testkit.Dig(t, dep, "spec", "template", "metadata", "labels"))
	assert.Equal(t, "kyverno-authz-server", b.authz.ServiceName)
	assert.Equal(t, "kyverno-authz", b.authz.Namespace)
	// No RBAC: with the kube source off the server reads nothing from the cluster.
	for _, res := range b.rec.All() {
		assert.NotContains(t, res.Type, "rbac.authorization.k8s.io", res.Name)
	}
}

// The server loads its policy file once, at start; a policy change must reach the pods by rolling them.
func TestPolicyChangeRollsTheServer(t *testing.T) {
	digest := func(args *KyvernoAuthzArgs) string {
		b, err := build(t, false, true, args, defaultL4Args())
		require.NoError(t, err)
		dep := testkit.One(t, b.rec, typeDeployment).Plain()
		cm := testkit.One(t, b.rec, typeConfigMap).Plain()
		policy := testkit.Dig(t, cm, "data", "policy.yaml").(string)
		d := testkit.Dig(t, dep, "spec", "template", "metadata", "annotations", PolicyDigestAnnotation).(string)
		assert.Equal(t, fmt.Sprintf("%x", sha256.Sum256([]byte(policy))), d, "the digest of the file the pods read")
		return d
	}
	narrower := defaultAuthzArgs()
	narrower.Allowed = []string{"true"}
	assert.NotEqual(t, digest(defaultAuthzArgs()), digest(narrower))
}

func TestAdmission(t *testing.T) {
	b := mustBuild(t)
	rel := testkit.One(t, b.rec, typeRelease).Plain()
	assert.Equal(t, versions.KyvernoChart.Name, rel["chart"])
	assert.Equal(t, "3.9.0", rel["version"]) // = Kyverno 1.19.0 (the chart's appVersion)
	assert.Equal(t, "https://kyverno.github.io/kyverno/", testkit.Dig(t, rel, "repositoryOpts", "repo"))
	assert.Equal(t, "kyverno", rel["namespace"])
	// The program owns the namespace, so destroy removes it (Helm's createNamespace never deletes it).
	assert.Nil(t, rel["createNamespace"])
	ns := b.rec.Find(typeNamespace, "ns-kyverno")
	require.NotNil(t, ns)
	assert.True(t, b.rec.WaitsFor(testkit.One(t, b.rec, typeRelease), ns), "the release waits for its namespace")

	values := rel["values"].(map[string]any)
	assert.Equal(t, true, testkit.Dig(t, values, "admissionController", "crdWatcher"))
	assert.Equal(t, []any{map[string]any{"apiGroups": []any{"networking.istio.io"}, "resources": []any{"serviceentries"}}},
		testkit.Dig(t, values, "reportsController", "rbac", "clusterRole", "extraResources"))
	testkit.AssertValuesInChart(t, "kyverno", "3.9.0", values)

	policy := testkit.One(t, b.rec, typeVPol).Plain()
	assert.Equal(t, "enforce-serviceentry-egress-label", testkit.Dig(t, policy, "metadata", "name"))
	assert.Equal(t, []any{"Deny"}, testkit.Dig(t, policy, "spec", "validationActions"), "Deny is Enforce")
	assert.Equal(t, "Kubernetes", testkit.Dig(t, policy, "spec", "evaluation", "mode"))
	rule := testkit.Dig(t, policy, "spec", "matchConstraints", "resourceRules", 0).(map[string]any)
	assert.Equal(t, []any{"networking.istio.io"}, rule["apiGroups"])
	assert.Equal(t, []any{"serviceentries"}, rule["resources"])
	assert.ElementsMatch(t, []any{"CREATE", "UPDATE"}, rule["operations"])
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
	server, policyFile := testkit.One(t, b.rec, typeDeployment), testkit.One(t, b.rec, typeConfigMap)
	release, admission := testkit.One(t, b.rec, typeRelease), testkit.One(t, b.rec, typeVPol)

	// The pod cannot start before its policy file exists: no moment with the server's default allow.
	assert.True(t, b.rec.WaitsFor(server, policyFile), "authz server after its policy")
	assert.True(t, b.rec.WaitsFor(server, istio), "authz server after its DependsOn")
	assert.True(t, b.rec.WaitsFor(release, istio), "Kyverno after Istio base")
	assert.True(t, b.rec.WaitsFor(admission, release), "ValidatingPolicy after Kyverno, whose chart installs its CRD")
	assert.True(t, b.rec.WaitsFor(admission, istio), "ValidatingPolicy after the ServiceEntry CRD")
	l4 := testkit.One(t, b.rec, typeIstioPolicy)
	assert.True(t, b.rec.WaitsFor(l4, istio))
	assert.True(t, b.rec.WaitsFor(l4, b.rec.Named("gateway-namespace")))
	assert.False(t, b.rec.WaitsFor(release, admission))
}

func TestParentingProviderDeletedWith(t *testing.T) {
	for _, deletedWith := range []bool{true, false} {
		b, err := build(t, false, deletedWith, defaultAuthzArgs(), defaultL4Args())
		require.NoError(t, err)
		provider, owner := b.rec.Named("k8s"), b.rec.Named("kind")
		for comp, kids := range map[string][]string{
			"egress-mesh:authz:KyvernoAuthz": {typeNamespace, typeConfigMap, typeSA, typeDeployment, typeService},
			"egress-mesh:authz:Admission":    {typeNamespace, typeRelease, typeVPol},
			"egress-mesh:authz:L4Policy":     {typeIstioPolicy},
		} {
			parent := testkit.One(t, b.rec, comp)
			children := b.rec.Children(parent)
			assert.Len(t, children, len(kids), comp)
			for _, typ := range kids {
				var res *recorder.Resource
				for _, child := range children {
					if child.Type == typ {
						res = child
					}
				}
				require.NotNil(t, res, "%s has no %s", comp, typ)
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
	assert.NotNil(t, b.authz.Server)
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
