package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckValuesAcceptsProjectValues(t *testing.T) {
	s, _ := loaded(t)
	cases := []struct {
		chart, version string
		values         map[string]any
	}{
		{"istiod", "1.30.3", map[string]any{
			"profile": "ambient",
			"meshConfig": map[string]any{
				"accessLogFile": "/dev/stdout", "accessLogEncoding": "JSON",
				"extensionProviders": []any{map[string]any{"name": "ext-authz", "envoyExtAuthzGrpc": map[string]any{
					"service": "ext-authz.ext-authz.svc.cluster.local", "port": 9000, "timeout": "1s", "failOpen": false, "statusOnError": "503"}}},
				"outboundTrafficPolicy": map[string]any{"mode": "REGISTRY_ONLY"},
			},
			"pilot":     map[string]any{"env": map[string]any{"PILOT_ENABLE_AMBIENT": "true"}},
			"global":    map[string]any{"hub": "docker.io/istio", "platform": "kind", "proxy": map[string]any{"logLevel": "warning"}},
			"resources": map[string]any{"requests": map[string]any{"cpu": "100m"}},
		}},
		{"base", "1.30.3", map[string]any{"defaultRevision": "default", "profile": "ambient"}},
		{"cni", "1.30.3", map[string]any{"profile": "ambient", "cni": map[string]any{"cniBinDir": "/opt/cni/bin"}, "ambient": map[string]any{"enabled": true}}},
		{"ztunnel", "1.30.3", map[string]any{"profile": "ambient", "global": map[string]any{"hub": "docker.io/istio", "profile": "ambient"}, "logLevel": "info"}},
		{"kyverno", "3.9.0", map[string]any{
			"admissionController": map[string]any{"crdWatcher": true},
			"reportsController": map[string]any{"rbac": map[string]any{"clusterRole": map[string]any{"extraResources": []any{
				map[string]any{"apiGroups": []any{"networking.istio.io"}, "resources": []any{"serviceentries"}}}}}},
			"crds":    map[string]any{"migration": map[string]any{"enabled": false}, "reportsServer": map[string]any{"enabled": false}},
			"global":  map[string]any{"templating": map[string]any{"enabled": false}},
			"grafana": map[string]any{"enabled": false, "grafanaDashboard": map[string]any{"create": false}},
		}},
		{"oci://cr.kgateway.dev/kgateway-dev/charts/kgateway", "2.2.3", map[string]any{
			"controller": map[string]any{"extraEnv": map[string]any{"KGW_LOG_LEVEL": "debug"}},
			"resources":  map[string]any{"limits": map[string]any{"memory": "512Mi"}},
			"waypoint":   map[string]any{"enabled": false},
		}},
		{"kgateway-crds", "v2.2.3", map[string]any{}},
		{"oci://cr.agentgateway.dev/charts/agentgateway", "v1.4.1", map[string]any{
			"controllerName": "agentgateway.dev/agentgateway", "gatewayClassName": "agentgateway",
			"istio": map[string]any{"autoEnabled": true}, "image": map[string]any{"registry": "cr.agentgateway.dev"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.chart, func(t *testing.T) {
			checked, errs := CheckValues(s, tc.chart, tc.version, tc.values)
			assert.Empty(t, errs)
			if len(tc.values) > 0 {
				assert.Positive(t, checked)
			}
		})
	}
}

func TestCheckValuesNegativeControls(t *testing.T) {
	s, _ := loaded(t)
	cases := []struct {
		name, chart, version string
		values               map[string]any
		want                 []string
	}{
		{"meshConfig typo", "istiod", "1.30.3", map[string]any{"meshConfig": map[string]any{"acessLogFile": "/dev/stdout"}},
			[]string{"istiod@1.30.3: values path meshConfig.acessLogFile: not a MeshConfig field", `did you mean "accessLogFile"`}},
		{"meshConfig typo through the pilot alias", "istiod", "1.30.3", map[string]any{"pilot": map[string]any{"meshConfig": map[string]any{"accessLogFiles": "x"}}},
			[]string{"values path pilot.meshConfig.accessLogFiles: not a MeshConfig field"}},
		{"ext-authz provider typo", "istiod", "1.30.3", map[string]any{"meshConfig": map[string]any{"extensionProviders": []any{
			map[string]any{"name": "x", "envoyExtAuthzGrpc": map[string]any{"service": "s", "failopen": true}}}}},
			[]string{"meshConfig.extensionProviders[0].envoyExtAuthzGrpc.failopen"}},
		{"internal defaults prefix", "istiod", "1.30.3", map[string]any{"_internal_defaults_do_not_set": map[string]any{"x": 1}},
			[]string{"values path _internal_defaults_do_not_set", "without this prefix"}},
		{"defaults prefix", "ztunnel", "1.30.3", map[string]any{"defaults": map[string]any{"hub": "x"}},
			[]string{"ztunnel@1.30.3", "values path defaults"}},
		{"istio unknown top-level", "istiod", "1.30.3", map[string]any{"replicas": 2},
			[]string{"values path replicas", "not in the chart's values.yaml"}},
		{"pilot alias typo", "istiod", "1.30.3", map[string]any{"pilot": map[string]any{"autoscaleEnable": false}},
			[]string{"values path pilot.autoscaleEnable", `did you mean "autoscaleEnabled"`}},
		{"kyverno typo", "kyverno", "3.9.0", map[string]any{"admissionController": map[string]any{"crdWatchr": true}},
			[]string{"kyverno@3.9.0", "values path admissionController.crdWatchr", `did you mean "crdWatcher"`}},
		{"kyverno subchart typo", "kyverno", "3.9.0", map[string]any{"crds": map[string]any{"migraton": map[string]any{"enabled": false}}},
			[]string{"values path crds.migraton"}},
		{"kgateway controller.resources does not exist", "kgateway", "v2.2.3", map[string]any{"controller": map[string]any{"resources": map[string]any{}}},
			[]string{"kgateway@v2.2.3", "values path controller.resources"}},
		{"kyverno 3.9.0 moved templating under global", "kyverno", "3.9.0", map[string]any{"templating": map[string]any{"enabled": true}},
			[]string{"kyverno@3.9.0", "values path templating"}},
		{"kyverno 3.9.0 removed autoDeleteWebhooks", "kyverno", "3.9.0", map[string]any{"webhooksCleanup": map[string]any{"autoDeleteWebhooks": map[string]any{"enabled": true}}},
			[]string{"kyverno@3.9.0", "values path webhooksCleanup.autoDeleteWebhooks"}},
		{"kgateway v2.2.3 removed agentgateway", "kgateway", "v2.2.3", map[string]any{"agentgateway": map[string]any{"enabled": false}},
			[]string{"kgateway@v2.2.3", "values path agentgateway"}},
		{"agentgateway istio.enabled does not exist", "agentgateway", "v1.4.1", map[string]any{"istio": map[string]any{"enabled": true}},
			[]string{"agentgateway@v1.4.1", "values path istio.enabled"}},
		{"map where the chart has a scalar", "istiod", "1.30.3", map[string]any{"image": map[string]any{"repository": "pilot"}},
			[]string{"values path image", "got a map"}},
		{"unknown chart version", "istiod", "1.27.0", map[string]any{"profile": "ambient"},
			[]string{`chart "istiod" version "1.27.0"`, "istiod@1.30.3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := CheckValues(s, tc.chart, tc.version, tc.values)
			requireRejected(t, errs, tc.want...)
		})
	}
}

// Kubernetes-typed fields and empty-map defaults are accepted whole; the same content under a
// declared, non-empty map is still checked (control for the stop rule).
func TestCheckValuesStopsAtKubernetesTypes(t *testing.T) {
	s, _ := loaded(t)
	_, errs := CheckValues(s, "kgateway", "v2.2.3", map[string]any{
		"securityContext": map[string]any{"anything": true},
		"podAnnotations":  map[string]any{"x/y": "z"},
		"nodeSelector":    map[string]any{"kubernetes.io/os": "linux"},
	})
	assert.Empty(t, errs)
	_, errs = CheckValues(s, "kgateway", "v2.2.3", map[string]any{"controller": map[string]any{"anything": true}})
	require.Len(t, errs, 1)
}
