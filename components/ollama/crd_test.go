package ollama

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// serviceEntrySchema reads the spec schema of one ServiceEntry version from Istio 1.28's saved CRDs.
func serviceEntrySchema(t *testing.T, version string) map[string]any {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "crds", "istio", "1.28.0", "crd-all.gen.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, doc := range strings.Split(string(data), "\n---") {
		var crd struct {
			Spec struct {
				Names    struct{ Kind string }
				Versions []struct {
					Name   string
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					}
				}
			}
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &crd))
		if crd.Spec.Names.Kind != "ServiceEntry" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name == version {
				return v.Schema.OpenAPIV3Schema["properties"].(map[string]any)["spec"].(map[string]any)
			}
		}
	}
	t.Fatalf("no ServiceEntry %s in %s", version, path)
	return nil
}

// validate checks a value against a structural schema: known fields only (the API server would prune the
// rest silently), required fields, types and enums.
func validate(t *testing.T, path string, value any, schema map[string]any) {
	t.Helper()
	switch schema["type"] {
	case "object":
		obj, ok := value.(map[string]any)
		if !assert.True(t, ok, "%s: want object, got %T", path, value) {
			return
		}
		props, _ := schema["properties"].(map[string]any)
		for _, req := range asStrings(schema["required"]) {
			assert.Contains(t, obj, req, "%s: required field %s missing", path, req)
		}
		for k, v := range obj {
			sub, ok := props[k].(map[string]any)
			if assert.True(t, ok, "%s.%s: unknown field (pruned by the API server)", path, k) {
				validate(t, path+"."+k, v, sub)
			}
		}
	case "array":
		arr, ok := value.([]any)
		if !assert.True(t, ok, "%s: want array, got %T", path, value) {
			return
		}
		for i, e := range arr {
			validate(t, fmt.Sprintf("%s[%d]", path, i), e, schema["items"].(map[string]any))
		}
	case "string":
		s, ok := value.(string)
		if assert.True(t, ok, "%s: want string, got %T", path, value) {
			if enum := asStrings(schema["enum"]); len(enum) > 0 {
				assert.Contains(t, enum, s, "%s: not in enum", path)
			}
		}
	case "integer":
		f, ok := value.(float64)
		if assert.True(t, ok, "%s: want integer, got %T", path, value) {
			assert.Equal(t, float64(int64(f)), f, "%s: not an integer", path)
			if max, ok := schema["maximum"].(float64); ok {
				assert.LessOrEqual(t, f, max, path)
			}
			if min, ok := schema["minimum"].(float64); ok {
				assert.GreaterOrEqual(t, f, min, path)
			}
		}
	}
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
