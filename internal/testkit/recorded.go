package testkit

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
)

// One returns the only recorded resource of a type, failing the test when there is none or several.
func One(t testing.TB, rec *recorder.Recorder, typ string) *recorder.Resource {
	t.Helper()
	all := rec.OfType(typ)
	require.Len(t, all, 1, typ)
	return all[0]
}

// Input returns a resource's input at a dotted path ("spec.template.spec") as plain Go values.
func Input(t testing.TB, res *recorder.Resource, path string) any {
	t.Helper()
	require.NotNil(t, res)
	v, ok := res.Input(path)
	require.True(t, ok, "%s has no input %s", res.Name, path)
	return recorder.Plain(v)
}

// AssertNoPlainText walks every recorded input: each of texts (a password, its base64 forms) may appear
// only inside a secret value.
func AssertNoPlainText(t testing.TB, rec *recorder.Recorder, texts ...string) {
	t.Helper()
	require.NotEmpty(t, texts)
	var walk func(path string, v resource.PropertyValue)
	walk = func(path string, v resource.PropertyValue) {
		switch {
		case v.IsSecret(), v.IsOutput() && v.OutputValue().Secret:
			return
		case v.IsString():
			for _, s := range texts {
				assert.NotContains(t, v.StringValue(), s, path)
			}
		case v.IsObject():
			for k, e := range v.ObjectValue() {
				walk(path+"."+string(k), e)
			}
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(path+"[]", e)
			}
		case v.IsOutput() && v.OutputValue().Known:
			walk(path, v.OutputValue().Element)
		}
	}
	for _, res := range rec.All() {
		walk(res.Type+"/"+res.Name, resource.NewObjectProperty(res.Inputs))
	}
}

// Spec is the spec of the only recorded resource of a type.
func Spec(t testing.TB, rec *recorder.Recorder, typ string) map[string]any {
	t.Helper()
	spec, ok := One(t, rec, typ).Plain()["spec"].(map[string]any)
	require.True(t, ok, "%s has no spec", typ)
	return spec
}
