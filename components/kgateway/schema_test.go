package kgateway

import (
	"testing"

	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

// TestCheckersCatchMistakes proves the CRD and values checks the tests rely on can fail: the seed's own
// mistakes, made on the objects this package emits, are caught.
func TestCheckersCatchMistakes(t *testing.T) {
	r := mustRun(t)

	// The seed's retry.attempt (for attempts) would be pruned, and a targetRef without its group is invalid.
	tp := testkit.One(t, r.rec, typeTraffic).Plain()
	retry := testkit.Dig(t, tp, "spec", "retry").(map[string]any)
	retry["attempt"] = retry["attempts"]
	delete(retry, "attempts")
	delete(testkit.Dig(t, tp, "spec", "targetRefs", 0).(map[string]any), "group")
	testkit.RequireRejected(t, testkit.CRDErrors(t, tp), "spec.retry.attempt would be pruned", "spec.targetRefs[0].group")

	// The controller chart has no controller.resources, though extraEnv is free-form.
	testkit.RequireRejected(t, testkit.ValuesErrors(t, "kgateway", "v2.2.3",
		map[string]any{"controller": map[string]any{"resources": map[string]any{}}}), "values path controller.resources: not in the chart's values.yaml")
	testkit.AssertValuesInChart(t, "kgateway", "v2.2.3", map[string]any{"controller": map[string]any{"extraEnv": map[string]any{"A": "b"}}})
	// v2.2 removed the agentgateway switch: setting it would be silently ignored.
	testkit.RequireRejected(t, testkit.ValuesErrors(t, "kgateway", "v2.2.3",
		map[string]any{"agentgateway": map[string]any{"enabled": false}}), "values path agentgateway: not in the chart's values.yaml")

	// v2.2.3's GatewayExtension takes exactly one of grpcService/httpService under extAuth.
	ext := testkit.One(t, r.rec, typeExtension).Plain()
	testkit.Dig(t, ext, "spec", "extAuth").(map[string]any)["httpService"] = map[string]any{
		"backendRef": map[string]any{"name": "x", "port": 80}}
	testkit.RequireRejected(t, testkit.CRDErrors(t, ext), "spec.extAuth")
}
