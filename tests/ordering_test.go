package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/render"
)

const (
	typeChart      = "kubernetes:helm.sh/v4:Chart"
	typeRelease    = "kubernetes:helm.sh/v3:Release"
	typeConfigFile = "kubernetes:yaml/v2:ConfigFile"
)

// crdSource says which install brings the CRDs of an API group, by resource type and name.
var crdSource = map[string][2]string{
	"gateway.networking.k8s.io": {typeConfigFile, "gateway-api-crds"},
	"networking.istio.io":       {typeChart, "istio-base"},
	"security.istio.io":         {typeChart, "istio-base"},
	"gateway.kgateway.dev":      {typeChart, "kgateway-crds"},
	// Kyverno's chart (its kyverno-api subchart) is the one copy of the ValidatingPolicy CRD.
	"policies.kyverno.io": {typeRelease, "kyverno"},
	"agentgateway.dev":    {typeChart, "agentgateway-crds"},
}

// Every custom object waits for the install that brings its CRD; every built-in one needs nothing but the
// cluster. Checked for every object of every stack, so a new kind cannot skip its CRD edge.
func TestEveryCustomObjectWaitsForItsCRDs(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			r := rendered(t, stack, false)
			custom := 0
			for _, o := range r.Objects() {
				group := strings.Split(o.APIVersion(), "/")[0]
				if !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io") && group != "gateway.networking.k8s.io" {
					continue // built in: v1, apps/v1, networking.k8s.io/v1
				}
				src, known := crdSource[group]
				require.True(t, known, "%s: no CRD source known for group %s", o, group)
				custom++
				assert.True(t, r.Rec.WaitsFor(o.Resource, mustFind(t, r.Rec, src[0], src[1])),
					"%s must wait for %s %s", o, src[0], src[1])
			}
			assert.Greater(t, custom, 8)
		})
	}
}

// edge is "later waits for earlier", by resource type and name.
type edge struct{ later, earlier [2]string }

func e(laterType, laterName, earlierType, earlierName string) edge {
	return edge{[2]string{laterType, laterName}, [2]string{earlierType, earlierName}}
}

func assertEdges(t *testing.T, rec *recorder.Recorder, want, notWant []edge) {
	t.Helper()
	for _, x := range want {
		assert.True(t, rec.WaitsFor(mustFind(t, rec, x.later[0], x.later[1]), mustFind(t, rec, x.earlier[0], x.earlier[1])),
			"%s must wait for %s", x.later[1], x.earlier[1])
	}
	for _, x := range notWant {
		assert.False(t, rec.WaitsFor(mustFind(t, rec, x.later[0], x.later[1]), mustFind(t, rec, x.earlier[0], x.earlier[1])),
			"%s must not wait for %s: they are independent and should install in parallel", x.later[1], x.earlier[1])
	}
}

const (
	typeServiceEntry = "kubernetes:networking.istio.io/v1:ServiceEntry"
	typeVPol         = "kubernetes:policies.kyverno.io/v1:ValidatingPolicy"
	typeHTTPRoute    = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
	typeGatewayExt   = "kubernetes:gateway.kgateway.dev/v1alpha1:GatewayExtension"
	typeTrafficPol   = "kubernetes:gateway.kgateway.dev/v1alpha1:TrafficPolicy"
	typeAgwPolicy    = "kubernetes:agentgateway.dev/v1alpha1:AgentgatewayPolicy"
	typeAgwBackend   = "kubernetes:agentgateway.dev/v1alpha1:AgentgatewayBackend"
	typeDeployment   = "kubernetes:apps/v1:Deployment"
)

// The Ollama path's graph: cluster -> Gateway API CRDs -> Istio base -> {istiod -> cni -> ztunnel, kgateway,
// Kyverno}; Kyverno and its policy before every ServiceEntry; authz policy -> authz server -> GatewayExtension ->
// TrafficPolicy -> HTTPRoute: no request is routed before the decision is in place (the server allows by
// default when no policy is loaded: kyverno-authz pkg/authz/envoy/service.go returns an empty CheckResponse).
func TestOllamaPathOrdering(t *testing.T) {
	rec := rendered(t, "dev", false).Rec
	kind := mustFind(t, rec, typeCommand, "cluster-kind")
	provider := rec.OfType(typeProvider)[0]
	assert.True(t, rec.WaitsFor(provider, kind), "the provider is built from the kind cluster's kubeconfig")

	assertEdges(t, rec, []edge{
		e(typeChart, "istio-base", typeConfigFile, "gateway-api-crds"),
		e(typeChart, "istio-istiod", typeChart, "istio-base"),
		e(typeChart, "istio-cni", typeChart, "istio-istiod"),
		e(typeChart, "istio-ztunnel", typeChart, "istio-cni"),
		e(typeChart, "kgateway-crds", typeChart, "istio-base"),
		e(typeChart, "kgateway-crds", typeConfigFile, "gateway-api-crds"),
		e(typeChart, "kgateway-controller", typeChart, "kgateway-crds"),
		e(typeRelease, "kyverno", typeChart, "istio-base"),
		e(typeVPol, "validatingpolicy-enforce-serviceentry-egress-label", typeRelease, "kyverno"),
		e(typeServiceEntry, "serviceentry-egress-ollama-external-host", typeVPol, "validatingpolicy-enforce-serviceentry-egress-label"),
		e(typeServiceEntry, "serviceentry-egress-ollama-external-host", "docker:index/container:Container", "ollama-container"),
		e(typeDeployment, "kyverno-authz", "kubernetes:core/v1:ConfigMap", "kyverno-authz-policy"),
		e(typeGatewayExt, "gatewayextension-kyverno-authz-kyverno-authz-server", typeDeployment, "kyverno-authz"),
		e(typeTrafficPol, "trafficpolicy-egress-egress-kgateway-traffic-policy", typeGatewayExt, "gatewayextension-kyverno-authz-kyverno-authz-server"),
		e(typeHTTPRoute, "httproute-egress-egress-kgateway-route", typeTrafficPol, "trafficpolicy-egress-egress-kgateway-traffic-policy"),
		e(typeDeployment, "deployment-egress-client-curl-client", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "client-egress"),
		e("docker:index/container:Container", "ollama-container", typeCommand, "cluster-kind"),
		e(typeDeployment, "deployment-egress-client-curl-client", typeChart, "istio-ztunnel"),
	}, []edge{
		e(typeChart, "kgateway-crds", typeChart, "istio-istiod"),
		e(typeRelease, "kyverno", typeChart, "istio-istiod"),
		e(typeRelease, "kyverno", typeChart, "kgateway-controller"),
		e(typeChart, "kgateway-controller", typeRelease, "kyverno"),
		e(typeChart, "istio-istiod", typeRelease, "kyverno"),
		e(typeChart, "istio-istiod", typeChart, "kgateway-crds"),
		e(typeDeployment, "kyverno-authz", typeChart, "istio-base"),
		e("docker:index/container:Container", "ollama-container", typeChart, "istio-base"),
	})
}

// The Squid path: CRDs before their objects, Squid and the ext-authz server before the policies and backends
// that point at them, Istio base before ServiceEntries; the waypoint after istiod, which issues its mesh certificates.
func TestSquidPathOrdering(t *testing.T) {
	rec := rendered(t, "squid", false).Rec
	assertEdges(t, rec, []edge{
		e(typeChart, "agentgateway-controller", typeChart, "agentgateway-crds"),
		e(typeChart, "agentgateway-controller", typeConfigFile, "gateway-api-crds"),
		e("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-agentgateway-egress-egress-gateway", typeChart, "istio-istiod"),
		e(typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-egress-extauth", "kubernetes:core/v1:Service", "ext-authz"),
		e(typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-egress-extauth", typeDeployment, "ext-authz"),
		e(typeAgwBackend, "agentgatewaybackend-agentgateway-egress-httpbingo-org", "kubernetes:core/v1:Service", "squid"),
		e(typeAgwBackend, "agentgatewaybackend-agentgateway-egress-httpbingo-org", typeDeployment, "squid"),
		e(typeServiceEntry, "serviceentry-ns1-httpbingo-org", typeChart, "istio-base"),
		e(typeServiceEntry, "serviceentry-ns1-httpbingo-org", typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-egress-extauth"),
		e(typeDeployment, "deployment-ns1-sleep", typeChart, "istio-ztunnel"),
	}, []edge{
		e(typeDeployment, "squid", typeChart, "agentgateway-controller"),
		e(typeDeployment, "ext-authz", typeChart, "istio-istiod"),
		e(typeChart, "agentgateway-crds", typeChart, "istio-istiod"),
		e(typeChart, "agentgateway-crds", typeConfigFile, "gateway-api-crds"),
	})
	assert.Empty(t, rec.OfType(typeRelease), "no Kyverno on the squid path unless kyverno=true")
}

// With kyverno=true on the squid path, every ServiceEntry carries the approval label and waits for the policy.
func TestSquidPathWithKyvernoGuardsServiceEntries(t *testing.T) {
	r, err := renderWith(t, "squid", false, "kyverno", "true")
	require.NoError(t, err)
	policy := mustFind(t, r.Rec, typeVPol, "validatingpolicy-enforce-serviceentry-egress-label")
	assert.True(t, r.Rec.WaitsFor(policy, mustFind(t, r.Rec, typeChart, "istio-base")))
	entries := r.Rec.OfType(typeServiceEntry)
	require.NotEmpty(t, entries)
	for _, se := range entries {
		assert.True(t, r.Rec.WaitsFor(se, policy), se.Name)
		label, _ := se.Input("metadata.labels")
		assert.Equal(t, "true", label.ObjectValue()["security.corp/egress-approved"].StringValue(), se.Name)
	}
}

// Switching one stack from ollama to squid: what goes and what comes, so a reviewer knows what the switch does.
func TestSwitchingPathOllamaToSquid(t *testing.T) {
	ollama := rendered(t, "dev", false)
	squid, err := renderWith(t, "dev", false, "path", "squid")
	require.NoError(t, err)
	gone, came, kept := diffIdentities(ollama, squid)

	assert.Subset(t, kept, []string{
		"command:local:Command::cluster-kind", "pulumi:providers:kubernetes::cluster",
		"kubernetes:yaml/v2:ConfigFile::gateway-api-crds",
		"kubernetes:helm.sh/v4:Chart::istio-base", "kubernetes:helm.sh/v4:Chart::istio-istiod",
		"kubernetes:helm.sh/v4:Chart::istio-cni", "kubernetes:helm.sh/v4:Chart::istio-ztunnel",
	}, "the platform stays: switching paths must not rebuild the cluster or the mesh")
	assert.Subset(t, gone, []string{
		"kubernetes:helm.sh/v4:Chart::kgateway-crds", "kubernetes:apps/v1:Deployment::kyverno-authz",
		"kubernetes:helm.sh/v3:Release::kyverno", "docker:index/container:Container::ollama-container",
		"kubernetes:networking.istio.io/v1:ServiceEntry::serviceentry-egress-ollama-external-host",
	})
	assert.Subset(t, came, []string{
		"kubernetes:helm.sh/v4:Chart::agentgateway-crds", "kubernetes:helm.sh/v4:Chart::agentgateway-controller",
		"kubernetes:apps/v1:Deployment::squid", "kubernetes:apps/v1:Deployment::ext-authz",
		"kubernetes:networking.istio.io/v1:ServiceEntry::serviceentry-ns1-httpbingo-org",
	})
	for _, id := range gone {
		assert.NotContains(t, id, "istio-", "Istio must not be replaced by a path switch")
	}
	t.Logf("switch ollama -> squid: %d kept, %d go, %d come\n  go:   %s\n  come: %s",
		len(kept), len(gone), len(came), strings.Join(gone, "\n        "), strings.Join(came, "\n        "))
}

func diffIdentities(a, b *render.Result) (gone, came, kept []string) {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, id := range identities(a.Rec) {
		inA[id] = true
	}
	for _, id := range identities(b.Rec) {
		inB[id] = true
		if inA[id] {
			kept = append(kept, id)
		} else {
			came = append(came, id)
		}
	}
	for _, id := range identities(a.Rec) {
		if !inB[id] {
			gone = append(gone, id)
		}
	}
	return gone, came, kept
}

// Issue 9 item 3 on the Squid path: no route and no ServiceEntry sends traffic to the waypoint before the
// ext-authz policy and the identity policy are in place, and the ext-authz server runs before the policy that
// points at it. Checked for every route and entry of the stack (plain and TLS destinations alike), so a new
// destination cannot skip the edge. Squid itself runs only behind its NetworkPolicy (issue 9 item 5).
func TestSquidPathNoTrafficBeforeAuthorization(t *testing.T) {
	rec := rendered(t, "squid", false).Rec
	extAuth := mustFind(t, rec, typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-egress-extauth")
	identity := mustFind(t, rec, typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-mesh-identity-only")
	traffic := append(rec.OfType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"), rec.OfType(typeServiceEntry)...)
	require.GreaterOrEqual(t, len(traffic), 4, "a route and an entry per destination (Pulumi.squid.yaml lists two)")
	for _, r := range traffic {
		assert.True(t, rec.WaitsFor(r, extAuth), "%s must wait for the ext-authz policy", r.Name)
		assert.True(t, rec.WaitsFor(r, identity), "%s must wait for mesh-identity-only", r.Name)
		// Negative control: the edge is one-way, so WaitsFor is not trivially true.
		assert.False(t, rec.WaitsFor(extAuth, r), "the ext-authz policy must not wait for %s", r.Name)
	}
	assertEdges(t, rec, []edge{
		e(typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-egress-extauth", typeDeployment, "ext-authz"),
		e(typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-egress-extauth", "kubernetes:core/v1:Service", "ext-authz"),
		e(typeDeployment, "squid", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "squid-ingress"),
	}, []edge{
		e(typeAgwPolicy, "agentgatewaypolicy-agentgateway-egress-mesh-identity-only", typeDeployment, "ext-authz"),
	})
}
