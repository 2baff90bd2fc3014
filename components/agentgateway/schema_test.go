package agentgateway

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

// TestEveryCustomObjectMatchesItsCRD checks each object of every variant against the pinned upstream CRD.
func TestEveryCustomObjectMatchesItsCRD(t *testing.T) {
	variants := []fixture{
		{},
		{proxyMode: "address", auth: true, kyverno: true},
		{auth: true, dests: []Destination{{"httpbingo.org", 80, false}, {"api.example.com", 8080, false}, {"llm.example.com", 443, true}}},
	}
	seen := map[string]bool{}
	for _, f := range variants {
		rec, _ := f.run(t)
		for _, res := range customObjects(rec) {
			obj := res.Plain()
			seen[obj["kind"].(string)] = true
			testkit.AssertValidAgainstCRDs(t, obj)
		}
	}
	for kind := range apiVersions {
		assert.True(t, seen[kind], "no %s was checked", kind)
	}
}

// TestSchemaCheckCatchesMistakes proves the check above can fail.
func TestSchemaCheckCatchesMistakes(t *testing.T) {
	bad := map[string]any{
		"apiVersion": apiVersions["AgentgatewayPolicy"], "kind": "AgentgatewayPolicy",
		"metadata": map[string]any{"name": "p", "namespace": "agentgateway-egress"},
		"spec": map[string]any{
			"targetRefs": []any{map[string]any{"kind": "Gateway", "name": "g"}}, // group is required
			"traffic": map[string]any{"extAuth": map[string]any{
				"failureMode": "Closed",         // not in the enum
				"grpcService": map[string]any{}, // no backendRef
				"timeout":     "5s",             // not a field
			}},
		},
	}
	testkit.RequireRejected(t, testkit.CRDErrors(t, bad), "spec.targetRefs[0].group", "failureMode", `"Closed"`,
		"spec.traffic.extAuth.timeout would be pruned")
}
