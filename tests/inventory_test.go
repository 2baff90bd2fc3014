package tests

import (
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countByKind counts rendered objects by "apiVersion Kind" and the other resources by type token.
func countByKind(t *testing.T, stack string, kv ...string) map[string]int {
	t.Helper()
	var r = rendered(t, stack, false)
	if len(kv) > 0 {
		var err error
		r, err = renderWith(t, stack, false, kv...)
		require.NoError(t, err)
	}
	counts := map[string]int{}
	for _, o := range r.Objects() {
		counts[o.APIVersion()+" "+o.Kind()]++
	}
	objects := map[string]bool{}
	for _, o := range r.Objects() {
		objects[o.Resource.URN] = true
	}
	for _, res := range r.Rec.All() {
		if !objects[res.URN] {
			counts[res.Type]++
		}
	}
	return counts
}

// The Ollama path builds what seed 000 does by hand (with the notes' corrections) and nothing else.
func TestOllamaPathInventory(t *testing.T) {
	assert.Equal(t, map[string]int{
		// platform
		"command:local:Command":         1, // kind cluster
		"pulumi:providers:kubernetes":   1,
		"kubernetes:yaml/v2:ConfigFile": 1, // Gateway API CRDs
		// charts: istio base, istiod, cni, ztunnel; kgateway crds + controller; kyverno
		"kubernetes:helm.sh/v4:Chart":   6,
		"kubernetes:helm.sh/v3:Release": 1,
		// Ollama in Docker
		"docker:index/remoteImage:RemoteImage": 1,
		"docker:index/volume:Volume":           1,
		"docker:index/container:Container":     1,
		// objects: namespaces istio-system, kgateway-system, egress, kyverno-authz, egress-client
		"v1 Namespace":                                     6,
		"v1 ServiceAccount":                                2, // curl client, authz server
		"apps/v1 Deployment":                               2, // curl client, authz server
		"v1 Service":                                       1, // authz server
		"v1 ConfigMap":                                     1, // the authz server's policy file
		"networking.k8s.io/v1 NetworkPolicy":               1, // client egress: DNS and the mesh only
		"gateway.networking.k8s.io/v1 Gateway":             1,
		"gateway.networking.k8s.io/v1 HTTPRoute":           1,
		"gateway.kgateway.dev/v1alpha1 GatewayParameters":  1, // ClusterIP proxy Service
		"gateway.kgateway.dev/v1alpha1 TrafficPolicy":      1,
		"gateway.kgateway.dev/v1alpha1 GatewayExtension":   1,
		"gateway.kgateway.dev/v1alpha1 HTTPListenerPolicy": 1, // JSON access log
		"networking.istio.io/v1 ServiceEntry":              1,
		"security.istio.io/v1 AuthorizationPolicy":         1, // L4: only the client's identity
		"policies.kyverno.io/v1 ValidatingPolicy":          1, // ServiceEntry approval (the L7 policy is a file)
		"egress-mesh:cluster:Cluster":                      1,
		"egress-mesh:mesh:GatewayAPI":                      1,
		"egress-mesh:mesh:Istio":                           1,
		"egress-mesh:kgateway:KGateway":                    1,
		"egress-mesh:ollama:Ollama":                        1,
		"egress-mesh:authz:Admission":                      1,
		"egress-mesh:authz:KyvernoAuthz":                   1,
		"egress-mesh:authz:L4Policy":                       1,
		"egress-mesh:client:Client":                        1,
	}, countByKind(t, "dev"))
}

// The Squid path builds seed 002's open-source equivalent: agentgateway, Squid in the cluster, ext-authz, two
// destinations (one plain, one TLS).
func TestSquidPathInventory(t *testing.T) {
	assert.Equal(t, map[string]int{
		"command:local:Command":         1,
		"pulumi:providers:kubernetes":   1,
		"kubernetes:yaml/v2:ConfigFile": 1,
		// istio x4, agentgateway crds + controller; no kgateway, no Kyverno unless asked
		"kubernetes:helm.sh/v4:Chart": 6,
		// namespaces istio-system, agentgateway-system, agentgateway-egress, proxy, ext-authz, ns1
		"v1 Namespace":                                     6,
		"v1 ServiceAccount":                                2, // sleep, ext-authz
		"v1 Service":                                       2, // squid, ext-authz
		"v1 ConfigMap":                                     1, // squid.conf
		"apps/v1 Deployment":                               3, // sleep, squid, ext-authz
		"networking.k8s.io/v1 NetworkPolicy":               2, // client egress, Squid ingress
		"gateway.networking.k8s.io/v1 Gateway":             1,
		"gateway.networking.k8s.io/v1 HTTPRoute":           2, // one per destination
		"gateway.networking.k8s.io/v1beta1 ReferenceGrant": 2, // gateway -> squid, gateway -> ext-authz
		"agentgateway.dev/v1alpha1 AgentgatewayParameters": 1,
		"agentgateway.dev/v1alpha1 AgentgatewayBackend":    2, // one per destination
		"agentgateway.dev/v1alpha1 AgentgatewayPolicy":     2, // extAuth, network authorization
		"networking.istio.io/v1 ServiceEntry":              2, // one per destination
		"egress-mesh:cluster:Cluster":                      1,
		"egress-mesh:mesh:GatewayAPI":                      1,
		"egress-mesh:mesh:Istio":                           1,
		"egress-mesh:client:Client":                        1,
		"egress-mesh:extauthz:ExtAuthz":                    1,
		"egress-mesh:squid:Squid":                          1,
		"egress-mesh:agentgateway:AgentGateway":            1,
	}, countByKind(t, "squid"))
}

// Two destinations, proxy credentials and Kyverno: per-destination objects double, credentials add a Secret and
// a policy on the proxy, Kyverno adds its release and policy.
func TestSquidPathScalesWithDestinationsAndOptions(t *testing.T) {
	counts := countByKind(t, "squid", "destinations", `["httpbingo.org", "api.example.com:8080"]`,
		"squidUsername", "egress", "squidPassword!", "s3cr3t-pr0xy", "kyverno", "true")
	assert.Equal(t, 2, counts["agentgateway.dev/v1alpha1 AgentgatewayBackend"])
	assert.Equal(t, 2, counts["gateway.networking.k8s.io/v1 HTTPRoute"])
	assert.Equal(t, 2, counts["networking.istio.io/v1 ServiceEntry"])
	assert.Equal(t, 3, counts["agentgateway.dev/v1alpha1 AgentgatewayPolicy"], "extAuth, identity, and Proxy-Authorization on the proxy")
	assert.Equal(t, 1, counts["kubernetes:helm.sh/v3:Release"])
	assert.Equal(t, 1, counts["policies.kyverno.io/v1 ValidatingPolicy"])
}

// Proxy credentials stay secret across the whole stack, in an update and in a preview: the password is in no
// input and no output in plain text, and what carries it is marked secret.
func TestSquidCredentialsStaySecretEndToEnd(t *testing.T) {
	const password = "s3cr3t-pr0xy"
	for _, preview := range []bool{false, true} {
		r, err := renderWith(t, "squid", preview, "squidUsername", "egress", "squidPassword!", password)
		require.NoError(t, err)
		testkit.AssertNoPlainText(t, r.Rec, password)
		assert.NotEmpty(t, r.Rec.OfType("kubernetes:core/v1:Secret"), "the credentials reach the cluster as Kubernetes Secrets")
		for name, out := range r.Outputs {
			if out.Known && !out.Secret {
				assert.NotContains(t, flatten(out.Value), password, "output %s", name)
			}
		}
		objects, err := r.ObjectsYAML()
		require.NoError(t, err)
		assert.NotContains(t, string(objects), password, "render writes <secret>, never the value")
		assert.Contains(t, string(objects), "<secret>")
	}
}
