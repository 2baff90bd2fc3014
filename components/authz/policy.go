package authz

import (
	"fmt"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// The deny the policy answers carries this header and body, so a check can tell the policy's decision from a
// 403 that Envoy or the gateway made up (kgateway's statusOnError, an agentgateway failure).
const (
	DenyHeader = "x-egress-authz"
	DenyValue  = "denied"
	DenyBody   = "egress denied by policy " + AuthzPolicyName
)

// PolicyAPIVersion is the version the v0.4.0 server decodes (github.com/kyverno/kyverno/api/policies.kyverno.io/
// v1alpha1); Kyverno 1.19's CRD still serves it (deprecated in favour of v1).
const PolicyAPIVersion = "policies.kyverno.io/v1alpha1"

// PolicyObject is the Envoy-mode ValidatingPolicy the authz server evaluates for every CheckRequest. Each
// validation returns a CheckResponse or null, and when every validation returns null the server allows
// (website/docs/policies/envoy-policy-breakdown.md, "If all rules return null, the request is allowed by
// default"). So the one validation answers both ways explicitly and never returns null: a request is allowed
// only when the header holds one of the allowed values, everything else gets the policy's own 403.
func PolicyObject(header string, allowed []string) map[string]any {
	quoted := make([]string, 0, len(allowed))
	for _, v := range allowed {
		quoted = append(quoted, strconv.Quote(v))
	}
	deny := fmt.Sprintf("envoy.Denied(403).WithHeader(%s, %s).WithBody(%s).Response()",
		strconv.Quote(DenyHeader), strconv.Quote(DenyValue), strconv.Quote(DenyBody))
	return map[string]any{
		"apiVersion": PolicyAPIVersion,
		"kind":       "ValidatingPolicy",
		"metadata":   map[string]any{"name": AuthzPolicyName},
		"spec": map[string]any{
			// An expression that errors at run time denies instead of being skipped.
			"failurePolicy": "Fail",
			"evaluation":    map[string]any{"mode": "Envoy"},
			"variables": []any{
				// Envoy hands ext_authz the header names in lower case and joins repeated headers with ",",
				// so a duplicated header never equals an allowed value; `[?k].orValue("")` makes a missing
				// header "".
				map[string]any{"name": "header", "expression": fmt.Sprintf(
					`object.attributes.request.http.headers[?%s].orValue("")`, strconv.Quote(strings.ToLower(header)))},
				map[string]any{"name": "allowed", "expression": fmt.Sprintf(
					"variables.header in [%s]", strings.Join(quoted, ", "))},
			},
			"validations": []any{
				map[string]any{"expression": "variables.allowed ? envoy.Allowed().Response() : " + deny},
			},
		},
	}
}

// PolicyYAML is PolicyObject as the file the server reads.
func PolicyYAML(header string, allowed []string) (string, error) {
	out, err := yaml.Marshal(PolicyObject(header, allowed))
	if err != nil {
		return "", fmt.Errorf("encoding the authz policy: %w", err)
	}
	return string(out), nil
}
