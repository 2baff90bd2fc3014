package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// verifyOutputs feeds a stack's outputs through cmd/verify's own parser: the contract between the program and
// `make verify`.
func verifyOutputs(t *testing.T, r *render.Result) verify.Outputs {
	t.Helper()
	plain := map[string]any{}
	for name, out := range r.Outputs {
		require.True(t, out.Known, name)
		plain[name] = out.Value
	}
	outputs, err := verify.OutputsFromMap(plain)
	require.NoError(t, err)
	return outputs
}

// object finds a rendered object by kind, namespace and name.
func object(t *testing.T, r *render.Result, kind, namespace, name string) render.Object {
	t.Helper()
	for _, o := range r.Objects() {
		if o.Kind() == kind && o.Namespace() == namespace && o.Name() == name {
			return o
		}
	}
	t.Fatalf("no %s %s/%s rendered", kind, namespace, name)
	return render.Object{}
}

// selects reports whether a label selector "k=v" matches labels.
func selects(selector string, labels any) bool {
	m, _ := labels.(map[string]any)
	k, v, _ := strings.Cut(selector, "=")
	return m[k] == v
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// The client the checks exec into exists with that container and service account, and its identity is the one
// the gateway admits.
func assertClient(t *testing.T, r *render.Result, s verify.Spec) {
	t.Helper()
	deploy := object(t, r, "Deployment", s.ClientNamespace, s.ClientDeployment)
	pod := dig(deploy.Manifest, "spec", "template", "spec").(map[string]any)
	assert.Equal(t, s.ClientServiceAccount, pod["serviceAccountName"])
	containers := pod["containers"].([]any)
	assert.Equal(t, s.ClientContainer, containers[0].(map[string]any)["name"])
	assert.Equal(t, "ambient", dig(object(t, r, "Namespace", "", s.ClientNamespace).Manifest, "metadata", "labels").(map[string]any)["istio.io/dataplane-mode"])
}

func TestOllamaOutputsPointVerifyAtWhatTheProgramBuilds(t *testing.T) {
	r := rendered(t, "dev", false)
	out := verifyOutputs(t, r)
	s := out.Verify
	checks, err := verify.Checks(s)
	require.NoError(t, err)
	var names []string
	for _, c := range checks {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"allowed", "denied", "retries", "bypass", "fail-closed", "l4-identity"}, names)

	assertClient(t, r, s)
	gw := object(t, r, "Gateway", s.GatewayNamespace, strings.TrimPrefix(s.GatewaySelector, "gateway.networking.k8s.io/gateway-name="))
	assert.Contains(t, s.GatewayURL, gw.Name()+"."+s.GatewayNamespace+".svc.cluster.local:8080")
	route := object(t, r, "HTTPRoute", s.GatewayNamespace, "egress-kgateway-route")
	assert.Equal(t, []any{s.HostHeader}, dig(route.Manifest, "spec", "hostnames"))
	policy := object(t, r, "ConfigMap", "kyverno-authz", "kyverno-authz-server-policy")
	assert.Contains(t, flatten(policy.Manifest), `headers[?"`+s.AuthzHeader+`"]`, "the policy reads the header the checks send")
	l4 := object(t, r, "AuthorizationPolicy", s.GatewayNamespace, "egress-kgateway-clients")
	assert.Contains(t, flatten(l4.Manifest), strings.TrimPrefix(s.ClientPrincipal(), "spiffe://"),
		"the L4 policy admits exactly the identity verify calls from")
	container := mustFind(t, r.Rec, "docker:index/container:Container", "ollama-container")
	assert.Equal(t, s.OllamaContainer, container.Plain()["name"])
	assert.Equal(t, "http://"+recorder.FakeContainerIP+":11434", r.Outputs["ollamaEndpoint"].Value)
	assert.Equal(t, r.Outputs["ollamaEndpoint"].Value, s.OllamaEndpoint, "bypass calls the container the program made")
	assertVerifyKnowsTheRouteAndAuthz(t, r, s)

	assert.Contains(t, out.Checks["allowed"], `-H "x-force-authorized: true"`)
	assert.NotContains(t, out.Checks["denied"], "x-force-authorized")
	assert.Contains(t, out.Checks["retries"], "docker stop "+s.OllamaContainer)
	assert.Contains(t, out.Checks["retries"], "docker start "+s.OllamaContainer)
	assert.Contains(t, out.Checks["allowed"], "kubectl --context kind-egress-mesh exec deploy/curl-client -n egress-client")
}

func TestSquidOutputsPointVerifyAtWhatTheProgramBuilds(t *testing.T) {
	r := rendered(t, "squid", false)
	out := verifyOutputs(t, r)
	s := out.Verify
	checks, err := verify.Checks(s)
	require.NoError(t, err)
	assert.Len(t, checks, 9)
	assert.Equal(t, "squid.proxy.svc.cluster.local:3128", s.SquidProxy)
	proxySvc := object(t, r, "Service", "proxy", "squid")
	assert.Equal(t, float64(3128), dig(proxySvc.Manifest, "spec", "ports").([]any)[0].(map[string]any)["port"])
	require.NotNil(t, s.AuthzServer)
	assert.Equal(t, s.ExtAuthzNamespace, s.AuthzServer.Namespace)
	object(t, r, "Deployment", s.AuthzServer.Namespace, s.AuthzServer.Deployment)
	assert.Equal(t, 403, s.AuthzErrorStatus, "agentgateway v1.4.1 answers a failed ext-authz call with 403")

	assertClient(t, r, s)
	extauthz := object(t, r, "Deployment", s.ExtAuthzNamespace, "ext-authz")
	assert.True(t, selects(s.ExtAuthzSelector, dig(extauthz.Manifest, "spec", "template", "metadata", "labels")))
	require.NotNil(t, s.SquidLogs)
	assert.Equal(t, "pod", s.SquidLogs.Kind)
	squid := object(t, r, "Deployment", s.SquidLogs.Namespace, "squid")
	assert.True(t, selects(s.SquidLogs.Selector, dig(squid.Manifest, "spec", "template", "metadata", "labels")))
	assert.Equal(t, s.SquidLogs.Container, dig(squid.Manifest, "spec", "template", "spec").(map[string]any)["containers"].([]any)[0].(map[string]any)["name"])
	assert.Equal(t, "http://httpbingo.org/headers", s.DestinationURL)
	entry := object(t, r, "ServiceEntry", s.ClientNamespace, "httpbingo-org")
	assert.Equal(t, []any{"httpbingo.org"}, dig(entry.Manifest, "spec", "hosts"))
	assert.Contains(t, out.Checks["allowed"], `-H "x-ext-authz: allow"`)
	assert.NotContains(t, out.Checks["denied"], "x-ext-authz")
}

// The retries check judges by the retry policy the TrafficPolicy really carries, and the authz checks expect the
// status and deny the objects configure.
func assertVerifyKnowsTheRouteAndAuthz(t *testing.T, r *render.Result, s verify.Spec) {
	t.Helper()
	tp := object(t, r, "TrafficPolicy", s.GatewayNamespace, "egress-kgateway-traffic-policy")
	require.NotNil(t, s.Retry)
	assert.Equal(t, float64(s.Retry.Attempts), dig(tp.Manifest, "spec", "retry", "attempts"))
	assert.Equal(t, s.Retry.PerTryTimeout, dig(tp.Manifest, "spec", "retry", "perTryTimeout"))
	assert.Equal(t, s.Retry.RequestTimeout, dig(tp.Manifest, "spec", "timeouts", "request"))

	ext := object(t, r, "GatewayExtension", s.AuthzServer.Namespace, "kyverno-authz-server")
	assert.NotEqual(t, 403, s.AuthzErrorStatus, "403 is a denial's status: an outage must look different")
	// kgateway's statusOnError defaults to 403, the deny's code: the extension sets its own, the one verify expects.
	assert.Equal(t, float64(s.AuthzErrorStatus), dig(ext.Manifest, "spec", "extAuth", "statusOnError"))
	require.NotNil(t, s.DeniedEvidence)
	for _, part := range []string{s.DeniedEvidence.Header, s.DeniedEvidence.Value, s.DeniedEvidence.Body} {
		require.NotEmpty(t, part)
	}
}

// Squid in Docker and an existing proxy change where verify reads Squid's log.
func TestSquidModesTellVerifyWhereTheProxyLogIs(t *testing.T) {
	docker, err := renderWith(t, "squid", false, "squidMode", "docker")
	require.NoError(t, err)
	s := verifyOutputs(t, docker).Verify
	assert.Equal(t, "docker", s.SquidLogs.Kind)
	containers := docker.Rec.OfType("docker:index/container:Container")
	require.Len(t, containers, 1)
	assert.Equal(t, s.SquidLogs.Container, containers[0].Plain()["name"])

	assert.Equal(t, recorder.FakeContainerIP+":3128", s.SquidProxy, "squid-direct dials the container")

	existing, err := renderWith(t, "squid", false, "squidMode", "existing", "squidAddress", "proxy.corp.example:3128")
	require.NoError(t, err)
	assert.Equal(t, "none", verifyOutputs(t, existing).Verify.SquidLogs.Kind)
	assert.Equal(t, "proxy.corp.example:3128", verifyOutputs(t, existing).Verify.SquidProxy)
	assert.Nil(t, existing.Rec.Find("kubernetes:apps/v1:Deployment", "squid"), "nothing to run for an existing proxy")
	assert.Empty(t, existing.Rec.OfType("docker:index/container:Container"))
}
