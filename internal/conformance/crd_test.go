package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestLoadCRDsServesEveryPinnedKind(t *testing.T) {
	_, crds := loaded(t)
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"},
		{Group: "networking.istio.io", Version: "v1", Kind: "ServiceEntry"},
		{Group: "networking.istio.io", Version: "v1beta1", Kind: "ServiceEntry"},
		{Group: "gateway.kgateway.dev", Version: "v1alpha1", Kind: "TrafficPolicy"},
		{Group: "policies.kyverno.io", Version: "v1", Kind: "ValidatingPolicy"},
		{Group: "policies.kyverno.io", Version: "v1alpha1", Kind: "ValidatingPolicy"},
		{Group: "agentgateway.dev", Version: "v1alpha1", Kind: "AgentgatewayBackend"},
	} {
		assert.True(t, crds.Has(gvk), gvk.String())
	}
	assert.False(t, crds.Has(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}))
}

func TestLoadCRDsRejectsNonStructuralSchema(t *testing.T) {
	dir := t.TempDir()
	f := dir + "/bad.yaml"
	writeFile(t, f, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {}
`)
	_, err := LoadCRDs(f)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a structural schema")
	assert.Contains(t, err.Error(), "widgets.example.com")
}

// Every object in notes/resources.md is accepted (both paths).
func TestResourcesFixturesValidateClean(t *testing.T) {
	_, crds := loaded(t)
	for _, file := range []string{"testdata/ollama-path.yaml", "testdata/squid-path.yaml"} {
		objs := fixtures(t, file)
		require.NotEmpty(t, objs)
		for _, o := range objs {
			assert.Empty(t, crds.Validate(o), "%s: %s", file, describe(o))
		}
	}
}

// Negative controls: one per CRD family and per kind of check. Each wants the object's name, the
// field path and the reason in the errors, so a check that fires for the wrong reason still fails.
func TestCRDNegativeControls(t *testing.T) {
	_, crds := loaded(t)
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		// gateway-api
		{"gateway-api/pruned", `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: egress-kgateway, namespace: default}
spec:
  gatewayClassName: kgateway
  listeners: [{name: http, protocol: HTTP, port: 8080, allowedRoutes: {from: All}}]`,
			[]string{"Gateway default/egress-kgateway", "spec.listeners[0].allowedRoutes.from would be pruned"}},
		{"gateway-api/cel", `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: kgateway
  listeners: [{name: http, protocol: HTTP, port: 8080, tls: {mode: Terminate, certificateRefs: [{name: c}]}}]`,
			[]string{"Gateway default/gw", "spec.listeners", "tls must not be specified for protocols"}},
		{"gateway-api/required", `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: kgateway
  listeners: [{name: http, protocol: HTTP}]`,
			[]string{"Gateway default/gw", "spec.listeners[0].port: Required value"}},
		// istio
		{"istio/pruned", `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: default}
spec: {hosts: [example.com], location: MESH_EXTERNAL, resolutions: DNS, ports: [{number: 80, name: http, protocol: HTTP}]}`,
			[]string{"ServiceEntry default/se", "spec.resolutions would be pruned"}},
		{"istio/cel", `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: default}
spec: {hosts: [example.com], resolution: NONE, endpoints: [{address: 10.0.0.1}]}`,
			[]string{"ServiceEntry default/se", "spec", "NONE mode cannot set endpoints"}},
		{"istio/required", `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: default}
spec: {location: MESH_EXTERNAL, resolution: DNS}`,
			[]string{"ServiceEntry default/se", "spec.hosts: Required value"}},
		// kgateway
		{"kgateway/pruned", `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: tp, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  retry: {attempts: 3, perTryTimout: 10s, statusCodes: [503]}`,
			[]string{"TrafficPolicy default/tp", "spec.retry.perTryTimout would be pruned"}},
		{"kgateway/cel-pertry-timeout", `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: tp, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  retry: {attempts: 3, perTryTimeout: 30s, statusCodes: [503]}
  timeouts: {request: 30s}`,
			[]string{"TrafficPolicy default/tp", "retry.perTryTimeout must be less than timeouts.request"}},
		{"kgateway/cel-retry-on", `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: tp, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  retry: {attempts: 3}`,
			[]string{"TrafficPolicy default/tp", "spec.retry", "retryOn or statusCodes must be set"}},
		{"kgateway/required", `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: tp, namespace: default}
spec:
  targetRefs: [{name: ollama-egress-route}]`,
			[]string{"TrafficPolicy default/tp", "spec.targetRefs[0].kind: Required value"}},
		// kyverno ValidatingPolicy (no CEL rules in the CRD: enum, type and required checks)
		{"kyverno/pruned", `
apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata: {name: vp}
spec:
  validationActions: [Deny]
  validations: [{expresion: "true"}]`,
			[]string{"ValidatingPolicy vp", "spec.validations[0].expresion would be pruned"}},
		{"kyverno/enum", `
apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata: {name: vp}
spec:
  validationActions: [Enforce]
  validations: [{expression: "true"}]`,
			[]string{"ValidatingPolicy vp", "spec.validationActions[0]: Unsupported value: \"Enforce\""}},
		{"kyverno/required", `
apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata: {name: vp}
spec:
  validationActions: [Deny]
  validations: [{message: "no expression"}]`,
			[]string{"ValidatingPolicy vp", "spec.validations[0].expression: Required value"}},
		{"kyverno/scope", `
apiVersion: policies.kyverno.io/v1alpha1
kind: ValidatingPolicy
metadata: {name: vp, namespace: default}
spec:
  evaluation: {mode: Envoy}
  validations: [{expression: "envoy.Allowed().Response()"}]`,
			[]string{"ValidatingPolicy default/vp", "metadata.namespace", "cluster-scoped"}},
		// agentgateway
		{"agentgateway/pruned", `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayParameters
metadata: {name: egress-params, namespace: agentgateway-egress}
spec: {istio: {enable: true}}`,
			[]string{"AgentgatewayParameters agentgateway-egress/egress-params", "spec.istio.enable would be pruned"}},
		{"agentgateway/cel", `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: b, namespace: agentgateway-egress}
spec:
  static: {host: httpbingo.org, port: 80}
  ai: {provider: {openai: {}}}`,
			[]string{"AgentgatewayBackend agentgateway-egress/b", "exactly one of the fields in [ai static dynamicForwardProxy"}},
		{"agentgateway/required", `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: p, namespace: agentgateway-egress}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, name: egress-gateway}]
  traffic: {extAuth: {backendRef: {name: ext-authz, namespace: ext-authz, port: 9000}, grpc: {}}}`,
			[]string{"AgentgatewayPolicy agentgateway-egress/p", "spec.targetRefs[0].kind: Required value"}},
		// object-level checks
		{"namespaced-kind-without-namespace", `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayExtension
metadata: {name: ge}
spec: {type: ExtAuth, extAuth: {grpcService: {backendRef: {name: s, port: 9081}}}}`,
			[]string{"GatewayExtension ge", "metadata.namespace: required"}},
		{"invalid-name", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: Bad_Name, namespace: default}
spec: {parentRefs: [{name: gw}]}`,
			[]string{"HTTPRoute default/Bad_Name", "metadata.name: Invalid value"}},
		{"unknown-metadata-field", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default, lables: {a: b}}
spec: {parentRefs: [{name: gw}]}`,
			[]string{"HTTPRoute default/r", "metadata.lables would be pruned"}},
		{"unserved-version", `
apiVersion: gateway.networking.k8s.io/v2
kind: HTTPRoute
metadata: {name: r, namespace: default}`,
			[]string{"HTTPRoute default/r", `version "v2"`, "not served"}},
		{"unknown-kind", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoot
metadata: {name: r, namespace: default}`,
			[]string{"HTTPRoot default/r", "no CRD defines HTTPRoot.gateway.networking.k8s.io"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireRejected(t, crds.Validate(obj(t, tc.yaml)), tc.want...)
		})
	}
}

// Validate prunes and defaults a copy: pruning the caller's object would hide the typo from later checks.
func TestValidateDoesNotMutateInput(t *testing.T) {
	_, crds := loaded(t)
	o := obj(t, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: egress-kgateway, namespace: default}
spec:
  gatewayClassName: kgateway
  listeners: [{name: http, protocol: HTTP, port: 8080, allowedRoutes: {from: All}}]`)
	before := o.DeepCopy()
	require.NotEmpty(t, crds.Validate(o))
	assert.Equal(t, before.Object, o.Object)
}

// cmd/render builds objects in Go: plain int and []string values must validate like decoded YAML.
func TestValidateAcceptsGoBuiltValues(t *testing.T) {
	_, crds := loaded(t)
	o := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.kgateway.dev/v1alpha1",
		"kind":       "GatewayExtension",
		"metadata":   map[string]any{"name": "kyverno-authz-server", "namespace": "default"},
		"spec": map[string]any{
			"type":    "ExtAuth",
			"extAuth": map[string]any{"grpcService": map[string]any{"backendRef": map[string]any{"name": "kyverno-authz-server", "port": 9081}}},
		},
	}}
	assert.Empty(t, crds.Validate(o))
	o.Object["spec"].(map[string]any)["extAuth"].(map[string]any)["grpcService"].(map[string]any)["backendRef"].(map[string]any)["port"] = "9081"
	requireRejected(t, crds.Validate(o), "GatewayExtension default/kyverno-authz-server", "spec.extAuth.grpcService.backendRef.port")
}
