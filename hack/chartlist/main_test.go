package main

import (
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/versions"
)

// The list is exactly the charts the program installs: every chart or release that rendering records, across
// both stacks and the Squid path with Kyverno, is in versions.Charts, and every entry of versions.Charts is
// installed by one of them (a stale pin would be pulled for nothing).
func TestListsEveryChartTheStacksInstall(t *testing.T) {
	root := filepath.Join("..", "..")
	installed := map[string]bool{}
	for _, tc := range []struct {
		stack string
		set   map[string]string
	}{
		{stack: "dev"},
		{stack: "squid"},
		{stack: "squid", set: map[string]string{"kyverno": "true"}},
	} {
		raw, err := render.LoadStack(root, tc.stack)
		require.NoError(t, err)
		for k, v := range tc.set {
			raw.Values[k] = v
		}
		res, err := render.Run(tc.stack, raw, true)
		require.NoError(t, err, "%s %v", tc.stack, tc.set)
		releases := res.Releases()
		require.NotEmpty(t, releases)
		for _, rel := range releases {
			installed[rel.Chart+" "+rel.Version+" "+rel.Repository] = true
		}
	}
	var listed []string
	for _, c := range versions.Charts {
		listed = append(listed, c.Name+" "+c.Version+" "+c.Repo)
	}
	var rendered []string
	for k := range installed {
		rendered = append(rendered, k)
	}
	assert.ElementsMatch(t, rendered, listed, "versions.Charts vs the charts the stacks install (chart version repo)")
	assert.Len(t, listed, len(slices.Compact(slices.Sorted(slices.Values(listed)))), "versions.Charts lists a chart twice")
}

// One line per pin, in the script's format: base name, version, then the https:// repository or the oci://
// reference the base name comes from.
func TestWriteFormat(t *testing.T) {
	var out strings.Builder
	require.NoError(t, write(&out, versions.Charts))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, len(versions.Charts))
	for i, c := range versions.Charts {
		fields := strings.Fields(lines[i])
		require.Len(t, fields, 3, lines[i])
		assert.Equal(t, path.Base(c.Name), fields[0])
		assert.Equal(t, c.Version, fields[1])
		if c.Repo == "" {
			assert.Equal(t, c.Name, fields[2])
			assert.True(t, strings.HasPrefix(fields[2], "oci://"), lines[i])
		} else {
			assert.Equal(t, c.Repo, fields[2])
		}
	}
	assert.Contains(t, lines, "kgateway-crds "+versions.KGateway+" oci://cr.kgateway.dev/kgateway-dev/charts/kgateway-crds")
	assert.Contains(t, lines, "istiod "+versions.Istio+" https://istio-release.storage.googleapis.com/charts")
}

// Pins the script could not pull, or that would clash in the mirror, are refused with the pin named.
func TestWriteRefusesUnpullablePins(t *testing.T) {
	for name, c := range map[string]versions.Chart{
		"http repository":         {Repo: "http://example.com/charts", Name: "x", Version: "1.0.0"},
		"oci name with a repo":    {Repo: "https://example.com/charts", Name: "oci://example.com/x", Version: "1.0.0"},
		"bare name without repo":  {Name: "x", Version: "1.0.0"},
		"no version":              {Repo: "https://example.com/charts", Name: "x"},
		"whitespace in a version": {Repo: "https://example.com/charts", Name: "x", Version: "1.0 .0"},
	} {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			err := write(&out, []versions.Chart{c})
			require.ErrorContains(t, err, c.Ref())
			assert.Empty(t, out.String(), "nothing printed when a pin is refused")
		})
	}
	twice := versions.Chart{Name: "oci://a.example/charts/x", Version: "1.0.0"}
	other := versions.Chart{Name: "oci://b.example/charts/x", Version: "1.0.0"}
	var out strings.Builder
	assert.ErrorContains(t, write(&out, []versions.Chart{twice, other}), "x/1.0.0 is listed twice")
}
