package authz

import (
	"testing"

	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

// TestCheckersCatchMistakes proves the CRD and values checks the tests rely on can fail: the seed's own
// mistakes, made on the objects this package emits, are caught.
func TestCheckersCatchMistakes(t *testing.T) {
	b := mustBuild(t)

	// The seed's failureAction Deny is not in the enum [Audit, Enforce].
	cp := testkit.One(t, b.rec, typeCluster).Plain()
	testkit.Dig(t, cp, "spec", "rules", 0, "validate").(map[string]any)["failureAction"] = "Deny"
	testkit.RequireRejected(t, testkit.CRDErrors(t, cp), "spec.rules[0].validate.failureAction", `"Deny"`)

	// 0.2.0's allow[] does not exist in the v1alpha1 CRD of chart 0.1.0: the API server would prune it.
	ap := testkit.One(t, b.rec, typeEnvoyPolicy).Plain()
	ap["spec"].(map[string]any)["allow"] = []any{}
	testkit.RequireRejected(t, testkit.CRDErrors(t, ap), ": spec.allow would be pruned")

	// A wrong type on the Istio policy: action is an enum of strings.
	l4 := testkit.One(t, b.rec, typeIstioPolicy).Plain()
	l4["spec"].(map[string]any)["action"] = 1
	testkit.RequireRejected(t, testkit.CRDErrors(t, l4), "spec.action", "must be of type string")

	// The chart has no top-level image: Helm would ignore it.
	testkit.RequireRejected(t, testkit.ValuesErrors(t, "kyverno-authz-server", "v0.1.0",
		map[string]any{"image": map[string]any{"tag": "v0.1.0"}}), "values path image: not in the chart's values.yaml")
}
