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

// PlainStrings returns every string in a property value that is not inside a secret.
func PlainStrings(v resource.PropertyValue) []string {
	switch {
	case v.IsSecret(), v.IsOutput() && v.OutputValue().Secret:
		return nil
	case v.IsOutput():
		return PlainStrings(v.OutputValue().Element)
	case v.IsString():
		return []string{v.StringValue()}
	case v.IsObject():
		var out []string
		for _, e := range v.ObjectValue() {
			out = append(out, PlainStrings(e)...)
		}
		return out
	case v.IsArray():
		var out []string
		for _, e := range v.ArrayValue() {
			out = append(out, PlainStrings(e)...)
		}
		return out
	}
	return nil
}

// AssertNoPlainText checks every recorded input: each of texts (a password, its base64 forms) may appear only
// inside a secret value.
func AssertNoPlainText(t testing.TB, rec *recorder.Recorder, texts ...string) {
	t.Helper()
	require.NotEmpty(t, texts)
	for _, res := range rec.All() {
		for _, plain := range PlainStrings(resource.NewObjectProperty(res.Inputs)) {
			for _, s := range texts {
				assert.NotContains(t, plain, s, "%s %s has it in plain text", res.Type, res.Name)
			}
		}
	}
}

// Spec is the spec of the only recorded resource of a type.
func Spec(t testing.TB, rec *recorder.Recorder, typ string) map[string]any {
	t.Helper()
	spec, ok := One(t, rec, typ).Plain()["spec"].(map[string]any)
	require.True(t, ok, "%s has no spec", typ)
	return spec
}
