package render

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A preview shows every value still to come as a placeholder at its own path, nested ones included. The dev
// stack's ServiceEntry endpoint takes its address from the Ollama container, unknown until it runs.
func TestPreviewKeepsNestedUnknowns(t *testing.T) {
	r, err := RunStack("../..", "dev", true)
	require.NoError(t, err)
	var endpoints any
	for _, o := range r.Objects() {
		if o.Kind() == "ServiceEntry" && o.Name() == "ollama-external-host" {
			endpoints = o.Manifest["spec"].(map[string]any)["endpoints"]
		}
		assert.Empty(t, emptyArrayElements(o.Manifest, ""), "%s: an array element that lost its unknowns", o)
	}
	assert.Equal(t, []any{map[string]any{"address": "<unknown: spec.endpoints[0].address>"}}, endpoints)
}

// The control: decoded as the SDK's mock monitor decodes a registration (no KeepUnknowns), the same endpoint
// loses its address and becomes the {} the recorder used to show.
func TestMockMonitorDecodingDropsNestedUnknowns(t *testing.T) {
	endpoint := resource.NewObjectProperty(resource.PropertyMap{"address": resource.MakeComputed(resource.NewStringProperty(""))})
	props := resource.PropertyMap{"endpoints": resource.NewArrayProperty([]resource.PropertyValue{endpoint})}
	wire, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true})
	require.NoError(t, err)

	asMock, err := plugin.UnmarshalProperties(wire, plugin.MarshalOptions{KeepSecrets: true, KeepResources: true})
	require.NoError(t, err)
	assert.Empty(t, asMock["endpoints"].ArrayValue()[0].ObjectValue(), "the mock monitor's decoding")

	kept, err := plugin.UnmarshalProperties(wire, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true})
	require.NoError(t, err)
	assert.True(t, kept["endpoints"].ArrayValue()[0].ObjectValue()["address"].IsComputed(), "the recorder's decoding")
}

// emptyArrayElements lists the paths of empty objects inside arrays.
func emptyArrayElements(v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			out = append(out, emptyArrayElements(e, path+"."+k)...)
		}
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok && len(m) == 0 {
				out = append(out, path)
			}
			out = append(out, emptyArrayElements(e, path+"[]")...)
		}
	}
	return out
}
