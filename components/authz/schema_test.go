package authz

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// shared is ../shared from the project's root: the upstream CRDs and chart defaults the objects must match.
const shared = "../../../shared"

// crdSchema returns the openAPIV3Schema of a CRD version from ../shared/crds. A file holding several CRDs is
// named "file#Kind".
func crdSchema(t *testing.T, file, version string) map[string]any {
	t.Helper()
	file, kind, _ := strings.Cut(file, "#")
	raw, err := os.ReadFile(filepath.Join(shared, "crds", file))
	require.NoError(t, err)
	for _, doc := range strings.Split(string(raw), "\n---") {
		var crd map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &crd))
		if crd["kind"] != "CustomResourceDefinition" {
			continue
		}
		if kind != "" && crd["spec"].(map[string]any)["names"].(map[string]any)["kind"] != kind {
			continue
		}
		for _, v := range crd["spec"].(map[string]any)["versions"].([]any) {
			v := v.(map[string]any)
			if v["name"] == version {
				return v["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
			}
		}
	}
	t.Fatalf("no version %s in %s", version, file)
	return nil
}

// schemaErrors lists every field of obj the schema does not declare (the API server would prune it), every
// value outside an enum, every wrong type and every missing required field.
func schemaErrors(schema map[string]any, obj any, path string) []string {
	var errs []string
	if enum, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool {
		return fmt.Sprint(e) == fmt.Sprint(obj)
	}) {
		errs = append(errs, fmt.Sprintf("%s: %v not in enum %v", path, obj, enum))
	}
	typ, _ := schema["type"].(string)
	switch v := obj.(type) {
	case map[string]any:
		if typ != "" && typ != "object" {
			return append(errs, fmt.Sprintf("%s: object where the schema has %s", path, typ))
		}
		for _, req := range asList(schema["required"]) {
			if _, ok := v[req.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required field %s missing", path, req))
			}
		}
		if schema["x-kubernetes-preserve-unknown-fields"] == true && schema["properties"] == nil {
			return errs
		}
		props, _ := schema["properties"].(map[string]any)
		extra, _ := schema["additionalProperties"].(map[string]any)
		for k, e := range v {
			sub, ok := props[k].(map[string]any)
			if !ok && extra != nil {
				sub, ok = extra, true
			}
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: not in the schema", path, k))
				continue
			}
			errs = append(errs, schemaErrors(sub, e, path+"."+k)...)
		}
	case []any:
		if typ != "array" {
			return append(errs, fmt.Sprintf("%s: list where the schema has %s", path, typ))
		}
		for i, e := range v {
			errs = append(errs, schemaErrors(schema["items"].(map[string]any), e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case string:
		if typ != "string" && schema["x-kubernetes-int-or-string"] != true {
			errs = append(errs, fmt.Sprintf("%s: string where the schema has %s", path, typ))
		}
	case bool:
		if typ != "boolean" {
			errs = append(errs, fmt.Sprintf("%s: bool where the schema has %s", path, typ))
		}
	case float64:
		if typ != "integer" && typ != "number" && schema["x-kubernetes-int-or-string"] != true {
			errs = append(errs, fmt.Sprintf("%s: number where the schema has %s", path, typ))
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

// requireConforms checks an emitted object's spec against its CRD.
func requireConforms(t *testing.T, file, version string, spec map[string]any) {
	t.Helper()
	schema := crdSchema(t, file, version)
	specSchema := schema["properties"].(map[string]any)["spec"].(map[string]any)
	require.Empty(t, schemaErrors(specSchema, spec, "spec"))
}

// valuesErrors lists every value path the chart's saved defaults do not have (Helm would ignore it). It stops
// descending where the default is null, an empty map or a list, as notes/resources.md says.
func valuesErrors(defaults map[string]any, values map[string]any, path string) []string {
	var errs []string
	for k, v := range values {
		d, ok := defaults[k]
		if !ok {
			errs = append(errs, path+k+": not in the chart's values.yaml")
			continue
		}
		dm, dIsMap := d.(map[string]any)
		vm, vIsMap := v.(map[string]any)
		if dIsMap && len(dm) > 0 && vIsMap {
			errs = append(errs, valuesErrors(dm, vm, path+k+".")...)
		}
	}
	return errs
}

func chartDefaults(t *testing.T, chart, version string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(shared, "charts", chart, version, "values.yaml"))
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &out))
	return out
}

// TestCheckersCatchMistakes proves the checkers can fail: the seed's own mistakes are caught.
func TestCheckersCatchMistakes(t *testing.T) {
	cp := crdSchema(t, "kyverno/v1.15.3/kyverno.io_clusterpolicies.yaml", "v1")
	seed := map[string]any{"rules": []any{map[string]any{"name": "r", "validate": map[string]any{"failureAction": "Deny"}}}}
	errs := schemaErrors(cp["properties"].(map[string]any)["spec"].(map[string]any), seed, "spec")
	require.Contains(t, errs, "spec.rules[0].validate.failureAction: Deny not in enum [Audit Enforce]")
	ap := crdSchema(t, "kyverno-envoy-plugin/v0.1.0/envoy.kyverno.io_authorizationpolicies.yaml", "v1alpha1")
	errs = schemaErrors(ap["properties"].(map[string]any)["spec"].(map[string]any), map[string]any{"allow": []any{}}, "spec")
	require.Equal(t, []string{"spec.allow: not in the schema"}, errs, "0.2.0's allow[] would be pruned")

	defaults := chartDefaults(t, "kyverno-authz-server", "v0.1.0")
	require.Equal(t, []string{"image: not in the chart's values.yaml"},
		valuesErrors(defaults, map[string]any{"image": map[string]any{"tag": "v0.1.0"}}, ""))
}

// toJSONish renders a value for substring checks.
func toJSONish(v any) string {
	b, _ := yaml.Marshal(v)
	j, _ := yaml.YAMLToJSON(b)
	return string(j)
}
