package authz

import (
	"testing"

	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

// TestCheckersCatchMistakes proves the CRD and values checks the tests rely on can fail: the seed's own
// mistakes, made on the objects this package emits, are caught.
func TestCheckersCatchMistakes(t *testing.T) {
	b := mustBuild(t)

	// Enforce is a ClusterPolicy word: a ValidatingPolicy's validationActions are Deny, Audit or Warn.
	vp := testkit.One(t, b.rec, typeVPol).Plain()
	vp["spec"].(map[string]any)["validationActions"] = []any{"Enforce"}
	testkit.RequireRejected(t, testkit.CRDErrors(t, vp), "spec.validationActions[0]", `"Enforce"`)

	// v0.1.0's `authorizations` does not exist in a ValidatingPolicy: the API server would prune it.
	ep := envoyPolicy(t, b)
	ep["spec"].(map[string]any)["authorizations"] = []any{}
	testkit.RequireRejected(t, testkit.CRDErrors(t, ep), ": spec.authorizations would be pruned")

	// A wrong type on the Istio policy: action is an enum of strings.
	l4 := testkit.One(t, b.rec, typeIstioPolicy).Plain()
	l4["spec"].(map[string]any)["action"] = 1
	testkit.RequireRejected(t, testkit.CRDErrors(t, l4), "spec.action", "must be of type string")

	// Kyverno 3.9.0 moved templating under global: the old top-level key would be ignored by Helm.
	testkit.RequireRejected(t, testkit.ValuesErrors(t, "kyverno", "3.9.0",
		map[string]any{"templating": map[string]any{"enabled": true}}), "values path templating: not in the chart's values.yaml")
}
