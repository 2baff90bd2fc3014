package tests

import (
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/stacks"
)

var renders sync.Map // "stack/preview" -> *render.Result

// rendered runs the program for Pulumi.<stack>.yaml once per mode and shares the result between tests.
func rendered(t *testing.T, stack string, preview bool) *render.Result {
	t.Helper()
	key := stack + "/" + map[bool]string{true: "preview", false: "up"}[preview]
	if r, ok := renders.Load(key); ok {
		return r.(*render.Result)
	}
	r, err := render.RunStack(root, stack, preview)
	require.NoError(t, err)
	renders.Store(key, r)
	return r
}

// renderWith runs the program for a stack file with some keys changed (keys ending in "!" are secrets).
func renderWith(t *testing.T, stack string, preview bool, kv ...string) (*render.Result, error) {
	t.Helper()
	raw, err := render.LoadStack(root, stack)
	require.NoError(t, err)
	for i := 0; i+1 < len(kv); i += 2 {
		key, secret := strings.TrimSuffix(kv[i], "!"), strings.HasSuffix(kv[i], "!")
		raw.Values[key], raw.Secrets[key] = kv[i+1], secret
	}
	return render.Run(stack, raw, preview)
}

// identity is "type::name", how a resource is known across runs.
func identities(rec *recorder.Recorder) []string {
	var out []string
	for _, res := range rec.All() {
		out = append(out, res.Type+"::"+res.Name)
	}
	sort.Strings(out)
	return out
}

// mustFind returns the resource with this type and name or fails the test.
func mustFind(t *testing.T, rec *recorder.Recorder, typ, name string) *recorder.Resource {
	t.Helper()
	res := rec.Find(typ, name)
	require.NotNil(t, res, "no %s named %s; have:\n%s", typ, name, strings.Join(identities(rec), "\n"))
	return res
}

// isSecret reports whether a property value is a secret (or an output marked secret).
func isSecret(v resource.PropertyValue) bool {
	return v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret)
}

// clusterName is the configured name for a stack (the clusterIdentifier).
func clusterName(t *testing.T, stack string) string {
	raw, err := render.LoadStack(root, stack)
	require.NoError(t, err)
	cfg, err := stacks.Parse(raw)
	require.NoError(t, err)
	return cfg.Cluster.Name
}
