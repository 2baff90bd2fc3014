package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/stacks"
)

// secretSample is, for each key, a distinctive valid value and the other keys it needs to apply.
var secretSample = map[string]struct {
	value string
	with  []string // plain key/value pairs; keys ending in "!" are secrets
}{
	"path":               {value: "ollama"},
	"cluster":            {value: "kind"},
	"clusterName":        {value: "zq-cluster"},
	"kubeconfig":         {value: recorder.FakeKubeconfig, with: []string{"cluster", "existing"}},
	"kubeContext":        {value: "kind-mock", with: []string{"cluster", "existing", "kubeconfig!", recorder.FakeKubeconfig}},
	"podSubnet":          {value: "10.123.0.0/16"},
	"serviceSubnet":      {value: "10.124.0.0/16"},
	"dockerNetwork":      {value: "zqnet"},
	"clientNamespace":    {value: "zq-client"},
	"chartMirror":        {value: "oci://zq-mirror.example/charts"},
	"gatewayAPICRDs":     {value: "https://zq-crds.example/experimental-install.yaml"},
	"ollamaMode":         {value: "existing", with: []string{"ollamaAddress", "10.9.8.7"}},
	"ollamaAddress":      {value: "10.9.8.77", with: []string{"ollamaMode", "existing"}},
	"gatewayNamespace":   {value: "zq-gw"},
	"gatewayPort":        {value: "18080"},
	"ollamaHostname":     {value: "zq.example"},
	"ollamaPort":         {value: "11999"},
	"ollamaModel":        {value: "zqmodel:1b"},
	"retryAttempts":      {value: "7"},
	"retryPerTryTimeout": {value: "7s"},
	"requestTimeout":     {value: "77s"},
	"squidMode":          {value: "docker", with: []string{"path", "squid"}},
	"squidAddress":       {value: "proxy-zq9.example:3128", with: []string{"path", "squid", "squidMode", "existing"}},
	"squidUsername":      {value: "zquser", with: []string{"path", "squid", "squidPassword!", "zqpass9"}},
	"squidPassword":      {value: "zqpass9", with: []string{"path", "squid", "squidUsername", "zquser"}},
	"destinations":       {value: `["zq-dest.example:80"]`, with: []string{"path", "squid"}},
	"kyverno":            {value: "true", with: []string{"path", "squid"}},
}

// Set as a secret, every key keeps its secrecy everywhere: a key that may be secret leaves no plain text in any
// resource input, stack output or message; a key that may not be is refused with `<secret>` for its value.
func TestEveryKeySetAsASecretStaysSecret(t *testing.T) {
	for _, k := range stacks.Keys {
		t.Run(k.Name, func(t *testing.T) {
			sample, ok := secretSample[k.Name]
			require.True(t, ok, "add a sample value for the new key %s", k.Name)
			in := cfg(append(append([]string(nil), sample.with...), k.Name+"!", sample.value)...)
			texts := []string{sample.value}
			if host, _, found := strings.Cut(sample.value, ":"); found && k.Name == "squidAddress" {
				texts = append(texts, host) // the host alone must not leak either
			}

			res, err := render.Run("secret-"+k.Name, in, false)
			if k.Secrecy == stacks.SecretRefused {
				require.Error(t, err)
				assert.Contains(t, err.Error(), fmt.Sprintf("config egress-mesh:%s = \"<secret>\" cannot be a secret", k.Name))
				assert.NotContains(t, err.Error(), fmt.Sprintf("%q", sample.value))
				return
			}
			require.NoError(t, err)
			require.Greater(t, len(res.Rec.All()), 20, "the program ran")
			for _, r := range res.Rec.All() {
				for _, plain := range testkit.PlainStrings(resource.NewObjectProperty(r.Inputs)) {
					for _, text := range texts {
						assert.NotContains(t, plain, text, "%s %s has the secret %s in plain text", r.Type, r.Name, k.Name)
					}
				}
			}
			for name, out := range res.Outputs {
				if out.Secret {
					continue
				}
				for _, plain := range plainStrings(out.Value) {
					for _, text := range texts {
						assert.NotContains(t, plain, text, "stack output %s has the secret %s in plain text", name, k.Name)
					}
				}
			}
		})
	}
}

// Negative control: the same walk finds a plain value where there is one (the client namespace, set plain).
func TestSecretWalkFindsPlainText(t *testing.T) {
	res, err := render.Run("plain", cfg("clientNamespace", "zq-client"), false)
	require.NoError(t, err)
	found := false
	for _, r := range res.Rec.All() {
		for _, plain := range testkit.PlainStrings(resource.NewObjectProperty(r.Inputs)) {
			found = found || strings.Contains(plain, "zq-client")
		}
	}
	assert.True(t, found)
	var inOutputs bool
	for _, out := range res.Outputs {
		for _, plain := range plainStrings(out.Value) {
			inOutputs = inOutputs || strings.Contains(plain, "zq-client")
		}
	}
	assert.True(t, inOutputs)
}

// plainStrings is every string in a resolved output value.
func plainStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case map[string]string:
		var out []string
		for _, e := range x {
			out = append(out, e)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, plainStrings(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, plainStrings(e)...)
		}
		return out
	}
	return nil
}
