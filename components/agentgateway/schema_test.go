package agentgateway

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// shared is ../shared from the project's root: the upstream CRDs and chart defaults.
const shared = "../../../shared"

// crdFiles says where each kind's CRD is saved ("file#Kind" for a file holding many).
var crdFiles = map[string]string{
	"AgentgatewayParameters": "agentgateway/v1.4.1/agentgateway.dev_agentgatewayparameters.yaml",
	"AgentgatewayBackend":    "agentgateway/v1.4.1/agentgateway.dev_agentgatewaybackends.yaml",
	"AgentgatewayPolicy":     "agentgateway/v1.4.1/agentgateway.dev_agentgatewaypolicies.yaml",
	"Gateway":                "gateway-api/v1.4.0/gateway.networking.k8s.io_gateways.yaml",
	"HTTPRoute":              "gateway-api/v1.4.0/gateway.networking.k8s.io_httproutes.yaml",
	"ReferenceGrant":         "gateway-api/v1.4.0/gateway.networking.k8s.io_referencegrants.yaml",
	"ServiceEntry":           "istio/1.28.0/crd-all.gen.yaml#ServiceEntry",
}

// crdSchema returns the openAPIV3Schema of kind at version, and whether that version is served.
func crdSchema(t *testing.T, kind, version string) map[string]any {
	t.Helper()
	file, only, _ := strings.Cut(crdFiles[kind], "#")
	raw, err := os.ReadFile(filepath.Join(shared, "crds", file))
	require.NoError(t, err)
	for _, doc := range strings.Split(string(raw), "\n---") {
		var crd map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &crd))
		if crd["kind"] != "CustomResourceDefinition" {
			continue
		}
		spec := crd["spec"].(map[string]any)
		if only != "" && spec["names"].(map[string]any)["kind"] != only {
			continue
		}
		for _, v := range spec["versions"].([]any) {
			v := v.(map[string]any)
			if v["name"] == version {
				require.Equal(t, true, v["served"], "%s %s is not served", kind, version)
				return v["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
			}
		}
	}
	t.Fatalf("no %s %s in %s", kind, version, file)
	return nil
}

// schemaErrors lists every field the schema does not declare (the API server would prune it), values outside
// an enum, wrong types and missing required fields. CEL rules are not evaluated here.
func schemaErrors(schema map[string]any, obj any, path string) []string {
	var errs []string
	if enum, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(obj) }) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", path, obj, enum))
	}
	typ, _ := schema["type"].(string)
	switch v := obj.(type) {
	case map[string]any:
		if typ != "" && typ != "object" {
			return append(errs, fmt.Sprintf("%s: object, schema says %s", path, typ))
		}
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if _, ok := v[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: required", path, r))
			}
		}
		props, _ := schema["properties"].(map[string]any)
		extra, _ := schema["additionalProperties"].(map[string]any)
		if props == nil && extra == nil && schema["x-kubernetes-preserve-unknown-fields"] == true {
			return errs
		}
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
			return append(errs, fmt.Sprintf("%s: array, schema says %s", path, typ))
		}
		items, _ := schema["items"].(map[string]any)
		for i, e := range v {
			errs = append(errs, schemaErrors(items, e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case string:
		if typ != "" && typ != "string" && schema["x-kubernetes-int-or-string"] != true {
			errs = append(errs, fmt.Sprintf("%s: string, schema says %s", path, typ))
		}
	case float64:
		if typ != "integer" && typ != "number" && schema["x-kubernetes-int-or-string"] != true {
			errs = append(errs, fmt.Sprintf("%s: number, schema says %s", path, typ))
		}
	case bool:
		if typ != "boolean" {
			errs = append(errs, fmt.Sprintf("%s: bool, schema says %s", path, typ))
		}
	}
	return errs
}

// TestEveryCustomObjectMatchesItsCRD checks each object of every variant against the saved upstream CRD.
func TestEveryCustomObjectMatchesItsCRD(t *testing.T) {
	variants := []fixture{
		{},
		{proxyMode: "address", auth: true, kyverno: true},
		{auth: true, dests: []Destination{{"httpbingo.org", 80}, {"api.example.com", 8080}}},
	}
	seen := map[string]bool{}
	for _, f := range variants {
		rec, _ := f.run(t)
		for _, res := range customObjects(rec) {
			obj := res.Plain()
			kind, version := obj["kind"].(string), strings.SplitN(obj["apiVersion"].(string), "/", 2)[1]
			seen[kind] = true
			// apiVersion, kind and metadata are the API server's, not every CRD schema declares them.
			delete(obj, "metadata")
			delete(obj, "apiVersion")
			delete(obj, "kind")
			assert.Empty(t, schemaErrors(crdSchema(t, kind, version), obj, kind), res.Name)
		}
	}
	for kind := range crdFiles {
		assert.True(t, seen[kind], "no %s was checked", kind)
	}
}

// TestSchemaCheckCatchesMistakes proves the check above can fail.
func TestSchemaCheckCatchesMistakes(t *testing.T) {
	s := crdSchema(t, "AgentgatewayPolicy", "v1alpha1")
	bad := map[string]any{"spec": map[string]any{
		"targetRefs": []any{map[string]any{"kind": "Gateway", "name": "g"}}, // group is required
		"traffic":    map[string]any{"extAuth": map[string]any{"failureMode": "Closed", "grpcService": map[string]any{}}},
	}}
	errs := schemaErrors(s, bad, "AgentgatewayPolicy")
	assert.Len(t, errs, 3, "%v", errs)
}
