package mesh

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

// testCRDs stands in for the Gateway API CRDs; the provider and the kind cluster are testkit.Run's.
const testCRDs = "gateway-api-stand-in"

// assertInCluster checks a child of the component: parent chain, provider and DeletedWith from the Target.
func assertInCluster(t *testing.T, rec *recorder.Recorder, comp, res *recorder.Resource) {
	t.Helper()
	require.NotNil(t, res)
	assert.True(t, rec.IsDescendant(res, comp), "%s %s is not under %s", res.Type, res.Name, comp.Name)
	prov := rec.Find("pulumi:providers:kubernetes", testkit.Provider)
	require.NotNil(t, prov)
	assert.True(t, strings.HasPrefix(res.Provider, prov.URN+"::"), "%s provider = %q", res.Name, res.Provider)
	owner := rec.Find("command:local:Command", testkit.Cluster)
	require.NotNil(t, owner)
	assert.Equal(t, owner.URN, res.DeletedWith, "%s DeletedWith", res.Name)
}

func str(t *testing.T, res *recorder.Resource, path string) string {
	t.Helper()
	v, ok := res.Input(path)
	require.True(t, ok, "%s has no input %s", res.Name, path)
	require.True(t, v.IsString(), "%s input %s = %v", res.Name, path, v)
	return v.StringValue()
}
