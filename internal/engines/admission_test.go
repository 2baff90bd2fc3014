package engines

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/components/authz"
	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/versions"
)

// admissionPolicy is the program's ServiceEntry admission policy as the squid stack with kyverno=true renders
// it, whatever its kind (a kyverno.io ClusterPolicy, or a policies.kyverno.io ValidatingPolicy), with the
// message(s) it declares for a refusal.
func admissionPolicy(t *testing.T) (policy map[string]any, messages []string, entries []map[string]any) {
	t.Helper()
	r, _ := renderStack(t, "squid", "kyverno", "true")
	for _, kind := range []string{"ClusterPolicy", "ValidatingPolicy"} {
		for _, p := range objects(r, kind) {
			if spec, _ := p["spec"].(map[string]any); isEnvoyMode(spec) {
				continue // the Kyverno authz server's policy, not an admission rule
			}
			require.Nil(t, policy, "more than one admission policy rendered")
			policy = p
		}
	}
	require.NotNil(t, policy, "the squid stack with kyverno=true renders no admission policy")
	messages = declaredMessages(policy)
	require.NotEmpty(t, messages, "the policy declares no refusal message")
	entries = objects(r, "ServiceEntry")
	require.NotEmpty(t, entries, "the squid stack renders no ServiceEntry")
	return policy, messages, entries
}

func isEnvoyMode(spec map[string]any) bool {
	eval, _ := spec["evaluation"].(map[string]any)
	return eval["mode"] == "Envoy"
}

// declaredMessages are validate.message of a ClusterPolicy's rules, or validations[].message of a
// ValidatingPolicy.
func declaredMessages(policy map[string]any) []string {
	var out []string
	spec, _ := policy["spec"].(map[string]any)
	rules, _ := spec["rules"].([]any)
	for _, r := range rules {
		v, _ := r.(map[string]any)["validate"].(map[string]any)
		if m, ok := v["message"].(string); ok {
			out = append(out, m)
		}
	}
	validations, _ := spec["validations"].([]any)
	for _, v := range validations {
		if m, ok := v.(map[string]any)["message"].(string); ok {
			out = append(out, m)
		}
	}
	return out
}

func deepCopy(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func labels(obj map[string]any) map[string]any {
	meta := obj["metadata"].(map[string]any)
	l, _ := meta["labels"].(map[string]any)
	if l == nil {
		l = map[string]any{}
		meta["labels"] = l
	}
	return l
}

// istioCRDs is Istio's CRD bundle at the pinned version (ServiceEntry's resource name for matchConstraints).
func istioCRDs(t *testing.T) []string {
	t.Helper()
	dir, err := controlplane.CRDDir("istio", versions.Istio)
	require.NoError(t, err)
	return []string{filepath.Join(dir, "crd-all.gen.yaml")}
}

func TestKyvernoAdmitsOnlyApprovedServiceEntries(t *testing.T) {
	SkipShort(t, "the Kyverno CLI")
	policy, messages, entries := admissionPolicy(t)
	crds := istioCRDs(t)

	// The program's own ServiceEntries pass.
	for _, se := range entries {
		require.Equal(t, authz.ApprovalValue, labels(se)[authz.ApprovalLabel], "rendered ServiceEntry %v", se["metadata"])
		out, err := KyvernoApply(t, policy, crds, se)
		require.NoError(t, err, "Kyverno refused the program's own ServiceEntry:\n%s", out)
		assert.Contains(t, out, "pass: 1", out)
	}

	// Copies that must be refused, each with the policy's message.
	refused := map[string]func(se map[string]any) []map[string]any{
		"without the approval label": func(se map[string]any) []map[string]any {
			delete(labels(se), authz.ApprovalLabel)
			return []map[string]any{se}
		},
		`with the label set to "false"`: func(se map[string]any) []map[string]any {
			labels(se)[authz.ApprovalLabel] = "false"
			return []map[string]any{se}
		},
		"with the label as an annotation instead": func(se map[string]any) []map[string]any {
			delete(labels(se), authz.ApprovalLabel)
			se["metadata"].(map[string]any)["annotations"] = map[string]any{authz.ApprovalLabel: authz.ApprovalValue}
			return []map[string]any{se}
		},
		"with the label on its Namespace instead": func(se map[string]any) []map[string]any {
			delete(labels(se), authz.ApprovalLabel)
			ns := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
				"name": se["metadata"].(map[string]any)["namespace"], "labels": map[string]any{authz.ApprovalLabel: authz.ApprovalValue},
			}}
			return []map[string]any{ns, se}
		},
	}
	for name, mutate := range refused {
		t.Run(name, func(t *testing.T) {
			out, err := KyvernoApply(t, policy, crds, mutate(deepCopy(t, entries[0]))...)
			require.Error(t, err, "Kyverno admitted a ServiceEntry %s:\n%s", name, out)
			assert.Contains(t, out, "fail: 1", out)
			found := false
			for _, m := range messages {
				found = found || strings.Contains(out, m)
			}
			assert.True(t, found, "Kyverno's output lacks the policy's message %q:\n%s", messages, out)
		})
	}
}
