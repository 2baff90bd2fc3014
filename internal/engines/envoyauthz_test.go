//go:build engines

// The Kyverno CLI v1.19.0 prints only a pass/fail summary for these payloads (no per-request verdict), so the
// verdict parser below finds nothing yet: run with make test-engines while that is worked out.

package engines

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// envoyPolicy is the Envoy-mode ValidatingPolicy the dev (Ollama) stack renders for the Kyverno authz server (the
// policy.yaml of the ConfigMap the server mounts as its file policy source), and the Host header clients send.
func envoyPolicy(t *testing.T) (policy map[string]any, host string) {
	t.Helper()
	r, _ := renderStack(t, "dev")
	for _, cm := range objects(r, "ConfigMap") {
		data, _ := cm["data"].(map[string]any)
		text, ok := data["policy.yaml"].(string)
		if !ok {
			continue
		}
		var p map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(text), &p), "policy.yaml of ConfigMap %v", cm["metadata"])
		if spec, _ := p["spec"].(map[string]any); p["kind"] == "ValidatingPolicy" && isEnvoyMode(spec) {
			require.Nil(t, policy, "more than one Envoy-mode ValidatingPolicy rendered")
			policy = p
		}
	}
	require.NotNil(t, policy, "the dev stack renders no ValidatingPolicy with spec.evaluation.mode: Envoy")
	return policy, specOf(t, r).HostHeader
}

// envoyVerdict is the CLI's verdict for one request: "allowed", "denied 403", ...
func envoyVerdict(t *testing.T, policy map[string]any, req HTTPRequest) string {
	t.Helper()
	out, err := KyvernoApplyEnvoy(t, policy, req.CheckRequest())
	switch {
	case strings.Contains(out, "request allowed"):
		require.NoError(t, err, out)
		return "allowed"
	case strings.Contains(out, "request denied with status code "):
		require.Error(t, err, "a denial is a policy violation, exit 1:\n%s", out)
		code := strings.Fields(strings.SplitN(out, "request denied with status code ", 2)[1])[0]
		return "denied " + code
	}
	t.Fatalf("no verdict in kyverno's output (err %v):\n%s", err, out)
	return ""
}

// TestKyvernoAuthzPolicyDecides evaluates the program's policy with the authz server's own engine (kyverno-authz
// at the commit Kyverno v1.19.0 builds in, through the Kyverno CLI) against CheckRequests as kgateway's Envoy
// sends them: lower-case header names, repeated headers joined with "," (Envoy's HeaderMap::get joins them).
func TestKyvernoAuthzPolicyDecides(t *testing.T) {
	SkipShort(t, "the Kyverno CLI (Envoy payloads)")
	policy, host := envoyPolicy(t)
	const header = "x-force-authorized"
	cases := []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"true", map[string]string{header: "true"}, "allowed"},
		{"enabled", map[string]string{header: "enabled"}, "allowed"},
		{"absent", nil, "denied 403"},
		{"false", map[string]string{header: "false"}, "denied 403"},
		{`"TRUE " (case and space)`, map[string]string{header: "TRUE "}, "denied 403"},
		{"empty", map[string]string{header: ""}, "denied 403"},
		{"duplicated (true,true)", map[string]string{header: "true,true"}, "denied 403"},
	}
	for _, c := range cases {
		req := HTTPRequest{Method: "POST", Host: host, Path: "/api/generate", Scheme: "http", Headers: c.headers,
			Source: "spiffe://cluster.local/ns/egress-client/sa/curl"}
		assert.Equal(t, c.want, envoyVerdict(t, policy, req), c.name)
	}
}

// TestKyvernoAuthzProofCanFail: the same evaluation of a policy whose validation always allows admits the
// request the program's policy denies.
func TestKyvernoAuthzProofCanFail(t *testing.T) {
	SkipShort(t, "the Kyverno CLI (Envoy payloads)")
	policy, host := envoyPolicy(t)
	open := deepCopy(t, policy)
	open["spec"].(map[string]any)["validations"] = []any{map[string]any{"expression": "envoy.Allowed().Response()"}}
	req := HTTPRequest{Method: "POST", Host: host, Path: "/api/generate", Scheme: "http"}
	assert.Equal(t, "denied 403", envoyVerdict(t, policy, req))
	assert.Equal(t, "allowed", envoyVerdict(t, open, req))
}
