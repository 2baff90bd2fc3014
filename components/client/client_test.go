package client

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

const (
	nsType     = "kubernetes:core/v1:Namespace"
	saType     = "kubernetes:core/v1:ServiceAccount"
	deployType = "kubernetes:apps/v1:Deployment"
)

// runClient builds the Ollama path's client with stand-ins for the cluster (DeletedWith) and ztunnel.
func runClient(t *testing.T, dryRun bool) (*recorder.Recorder, *Client) {
	t.Helper()
	var client *Client
	rec := testkit.Run(t, dryRun, func(ctx *pulumi.Context, target kube.Target) error {
		var err error
		client, err = New(ctx, "client", &Args{
			Target:         target,
			Namespace:      "egress-client",
			Name:           "curl-client",
			ServiceAccount: "egress-caller",
			Image:          versions.CurlImage,
			DependsOn:      []pulumi.Resource{testkit.StandIn(t, ctx, "ztunnel")},
			PodCIDR:        "10.244.0.0/16",
		})
		return err
	})
	return rec, client
}

func TestClientResources(t *testing.T) {
	rec, _ := runClient(t, false)
	comp := rec.Find("egress-mesh:client:Client", "client")
	require.NotNil(t, comp)
	children := rec.Children(comp)
	require.Len(t, children, 4, "namespace, ServiceAccount, egress NetworkPolicy, Deployment")
	assert.NotNil(t, rec.Find(nsType, "ns-egress-client"))
	assert.NotNil(t, rec.Find(saType, "serviceaccount-egress-client-egress-caller"))
	assert.NotNil(t, rec.Find(deployType, "deployment-egress-client-curl-client"))
}

func TestClientNamespaceIsEnrolledInAmbient(t *testing.T) {
	rec, _ := runClient(t, false)
	ns := rec.Find(nsType, "ns-egress-client")
	assert.Equal(t, "egress-client", testkit.Input(t, ns, "metadata.name"))
	assert.Equal(t, map[string]any{"istio.io/dataplane-mode": "ambient"}, testkit.Input(t, ns, "metadata.labels"))
}

func TestClientServiceAccount(t *testing.T) {
	rec, _ := runClient(t, false)
	sa := rec.Find(saType, "serviceaccount-egress-client-egress-caller")
	assert.Equal(t, "egress-caller", testkit.Input(t, sa, "metadata.name"))
	assert.Equal(t, "egress-client", testkit.Input(t, sa, "metadata.namespace"))
}

func TestClientDeployment(t *testing.T) {
	rec, _ := runClient(t, false)
	d := rec.Find(deployType, "deployment-egress-client-curl-client")
	assert.Equal(t, "curl-client", testkit.Input(t, d, "metadata.name"))
	assert.Equal(t, "egress-client", testkit.Input(t, d, "metadata.namespace"))
	assert.EqualValues(t, 1, testkit.Input(t, d, "spec.replicas"))
	assert.Equal(t, map[string]any{"app": "curl-client"}, testkit.Input(t, d, "spec.selector.matchLabels"))
	assert.Equal(t, map[string]any{"app": "curl-client", "istio.io/dataplane-mode": "ambient"},
		testkit.Input(t, d, "spec.template.metadata.labels"))

	pod := testkit.Input(t, d, "spec.template.spec").(map[string]any)
	assert.Equal(t, "egress-caller", pod["serviceAccountName"], "its own identity, not the namespace default")
	containers := pod["containers"].([]any)
	require.Len(t, containers, 1)
	c := containers[0].(map[string]any)
	assert.Equal(t, "client", c["name"])
	assert.Equal(t, "curlimages/curl:8.16.0", c["image"])
	assert.Equal(t, "IfNotPresent", c["imagePullPolicy"])
	command := c["command"].([]any)
	require.NotEmpty(t, command)
	assert.Contains(t, command[0], "sleep")
	assert.NotContains(t, command, "3600", "a 1-hour sleep restarts the pod mid-checks")
	assert.Equal(t, "infinity", command[len(command)-1])
}

func TestClientPrincipal(t *testing.T) {
	_, client := runClient(t, false)
	assert.Equal(t, "cluster.local/ns/egress-client/sa/egress-caller", client.Principal)
}

func TestClientChildrenParentsAndTarget(t *testing.T) {
	rec, _ := runClient(t, false)
	comp := rec.Find("egress-mesh:client:Client", "client")
	prov := rec.Find("pulumi:providers:kubernetes", testkit.Provider)
	owner := rec.Find("command:local:Command", testkit.Cluster)
	for _, typ := range []string{nsType, saType, deployType} {
		res := rec.OfType(typ)
		require.Len(t, res, 1, typ)
		assert.Equal(t, comp.URN, res[0].Parent, typ)
		assert.True(t, strings.HasPrefix(res[0].Provider, prov.URN+"::"), "%s provider %q", typ, res[0].Provider)
		assert.Equal(t, owner.URN, res[0].DeletedWith, typ)
	}
}

func TestClientOrdering(t *testing.T) {
	rec, _ := runClient(t, false)
	ztunnel := rec.Find("command:local:Command", "ztunnel")
	ns := rec.Find(nsType, "ns-egress-client")
	sa := rec.Find(saType, "serviceaccount-egress-client-egress-caller")
	d := rec.Find(deployType, "deployment-egress-client-curl-client")
	assert.True(t, rec.WaitsFor(ns, ztunnel), "enrolment needs ambient up")
	assert.True(t, rec.WaitsFor(d, ztunnel), "the pod must start enrolled")
	assert.True(t, rec.WaitsFor(sa, ns))
	assert.True(t, rec.WaitsFor(d, sa), "the pod needs its ServiceAccount")
}

func TestClientDryRun(t *testing.T) {
	rec, client := runClient(t, true)
	assert.NotNil(t, rec.Find(nsType, "ns-egress-client"))
	assert.NotNil(t, rec.Find(saType, "serviceaccount-egress-client-egress-caller"))
	assert.NotNil(t, rec.Find(deployType, "deployment-egress-client-curl-client"))
	assert.Equal(t, "cluster.local/ns/egress-client/sa/egress-caller", client.Principal)
}

func TestClientRequiresItsFields(t *testing.T) {
	_, err := testkit.Program(false, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "client", &Args{Namespace: "ns1", Name: "sleep", Image: versions.CurlImage})
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ServiceAccount")
}

// The namespace's pods may send only DNS to kube-dns and HBONE (what ztunnel sends, from inside the pod's network
// namespace) to pods: a direct call to an external address is neither, so the CNI drops it. The policy exists
// before the client runs.
func TestEgressLeavesOnlyDNSAndTheMesh(t *testing.T) {
	rec, client := runClient(t, false)
	np := rec.Find("kubernetes:networking.k8s.io/v1:NetworkPolicy", "client-egress")
	require.NotNil(t, np)
	assert.Equal(t, "egress-client", testkit.Input(t, np, "metadata.namespace"))
	assert.True(t, rec.WaitsFor(rec.Find(deployType, "deployment-egress-client-curl-client"), np), "no moment with open egress")
	spec := testkit.Input(t, np, "spec").(map[string]any)
	assert.Equal(t, map[string]any{}, spec["podSelector"], "every pod of the namespace")
	assert.Equal(t, []any{"Egress"}, spec["policyTypes"], "ingress unchanged")
	rules := spec["egress"].([]any)
	require.Len(t, rules, 2, "DNS and the mesh; nothing else")
	assert.Equal(t, map[string]any{
		"to": []any{map[string]any{
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "kube-system"}},
			"podSelector":       map[string]any{"matchLabels": map[string]any{"k8s-app": "kube-dns"}},
		}},
		"ports": []any{map[string]any{"protocol": "UDP", "port": 53.0}, map[string]any{"protocol": "TCP", "port": 53.0}},
	}, rules[0])
	assert.Equal(t, map[string]any{
		"to":    []any{map[string]any{"ipBlock": map[string]any{"cidr": "10.244.0.0/16"}}},
		"ports": []any{map[string]any{"protocol": "TCP", "port": 15008.0}},
	}, rules[1])
	assert.NotNil(t, client.EgressPolicy)
}
