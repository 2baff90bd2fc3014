package squid

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

// In cluster mode only the egress gateway's pods may open a connection to Squid's port. A NetworkPolicy peer
// that sets namespaceSelector and podSelector together selects "particular Pods within particular namespaces"
// (Kubernetes docs, Network Policies, "Behavior of to and from selectors"); as two separate peers they would
// admit every pod of the gateway's namespace *or* any pod so labelled in any namespace.
func TestClusterModeAdmitsOnlyTheGatewaysPods(t *testing.T) {
	rec, _, _ := run(t, Args{Mode: ModeCluster, PodCIDR: "10.244.0.0/16", Destinations: plainDest})
	np := rec.Find("kubernetes:networking.k8s.io/v1:NetworkPolicy", "squid-ingress")
	require.NotNil(t, np)
	assert.Equal(t, "proxy", testkit.Input(t, np, "metadata.namespace"))
	assert.Equal(t, "squid-from-egress-gateway-only", testkit.Input(t, np, "metadata.name"))
	spec := testkit.Input(t, np, "spec").(map[string]any)
	assert.Equal(t, map[string]any{
		// Squid's pods: the Deployment's and the Service's selector.
		"podSelector": map[string]any{"matchLabels": map[string]any{"app": "squid"}},
		// Ingress only: Squid must still reach the destinations.
		"policyTypes": []any{"Ingress"},
		"ingress": []any{map[string]any{
			"from": []any{map[string]any{
				"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "agentgateway-egress"}},
				// The label agentgateway's deployer puts on a Gateway's proxy pods, valued with the Gateway's name.
				"podSelector": map[string]any{"matchLabels": map[string]any{"gateway.networking.k8s.io/gateway-name": "egress-gateway"}},
			}},
			"ports": []any{map[string]any{"protocol": "TCP", "port": 3128.0}},
		}},
	}, spec)
	dep := rec.Find("kubernetes:apps/v1:Deployment", "squid")
	assert.Equal(t, spec["podSelector"].(map[string]any)["matchLabels"], testkit.Input(t, dep, "spec.template.metadata.labels"),
		"the policy must select the pods that really run Squid")
}

// Negative control: docker and existing modes have no Squid pod, and no policy pretends to guard one.
func TestOnlyClusterModeHasAPolicy(t *testing.T) {
	for _, args := range []Args{
		{Mode: ModeDocker, Network: "kind", ContainerName: "c", Destinations: plainDest},
		{Mode: ModeExisting, Address: "proxy.corp.example:3128"},
	} {
		rec, _, _ := run(t, args)
		assert.Empty(t, rec.OfType("kubernetes:networking.k8s.io/v1:NetworkPolicy"), args.Mode)
	}
}
