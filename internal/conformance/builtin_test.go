package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: ns1, labels: {app: sleep}}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers:
      - name: sleep
        image: curlimages/curl:8.11.1
        command: [sleep, infinity]
        ports: [{name: http, containerPort: 8080}]
`

func TestValidateBuiltinAcceptsValidObjects(t *testing.T) {
	for _, y := range []string{
		deployment,
		`
apiVersion: v1
kind: Service
metadata: {name: ext-authz, namespace: ext-authz}
spec:
  selector: {app: ext-authz}
  ports:
  - {name: grpc, port: 9000, targetPort: 9000, appProtocol: kubernetes.io/h2c}
  - {name: http, port: 8000, targetPort: http}`,
		`
apiVersion: v1
kind: Namespace
metadata: {name: ns1, labels: {istio.io/dataplane-mode: ambient}}`,
		`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:egress-mesh"}
rules: [{apiGroups: [networking.istio.io], resources: [serviceentries], verbs: [get, list, watch]}]`,
		`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only-gateway, namespace: ns1}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: agentgateway-egress}}}]}]`,
	} {
		o := obj(t, y)
		assert.Empty(t, ValidateBuiltin(o), describe(o))
	}
}

func TestValidateBuiltinNegativeControls(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown field", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: ns1}
spec:
  replica: 1
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: slep}}
    spec: {containers: [{name: sleep, image: curl}]}`,
			[]string{"Deployment ns1/sleep", `unknown field "spec.replica"`, "spec.template.metadata.labels"}},
		{"wrong case is unknown", `
apiVersion: v1
kind: ConfigMap
metadata: {name: squid-conf, namespace: proxy}
Data: {a: b}`,
			[]string{"ConfigMap proxy/squid-conf", `unknown field "Data"`}},
		{"selector does not match template", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: ns1}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: slep}}
    spec: {containers: [{name: sleep, image: curl}]}`,
			[]string{"Deployment ns1/sleep", "spec.template.metadata.labels", "does not match"}},
		{"port name too long", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: ns1}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: curl, ports: [{name: http-ollama-api-port, containerPort: 11434}]}]}`,
			[]string{"Deployment ns1/sleep", "spec.template.spec.containers[0].ports[0].name"}},
		{"service name must be a DNS-1035 label", `
apiVersion: v1
kind: Service
metadata: {name: 9squid, namespace: proxy}
spec: {ports: [{port: 3128}]}`,
			[]string{"Service proxy/9squid", "metadata.name: Invalid value"}},
		{"unnamed ports on multi-port service", `
apiVersion: v1
kind: Service
metadata: {name: squid, namespace: proxy}
spec: {ports: [{port: 3128}, {port: 80}]}`,
			[]string{"Service proxy/squid", "spec.ports[0].name: Required value"}},
		{"namespaced without namespace", `
apiVersion: v1
kind: ConfigMap
metadata: {name: squid-conf}`,
			[]string{"ConfigMap squid-conf", "metadata.namespace: Required value"}},
		{"cluster-scoped with namespace", `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r, namespace: default}`,
			[]string{"ClusterRole default/r", "metadata.namespace: Forbidden"}},
		{"bad label value", `
apiVersion: v1
kind: Namespace
metadata: {name: ns1, labels: {istio.io/dataplane-mode: "ambient mode"}}`,
			[]string{"Namespace ns1", "metadata.labels: Invalid value"}},
		{"not a builtin", `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: default}`,
			[]string{"ServiceEntry default/se", "not a built-in"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireRejected(t, ValidateBuiltin(obj(t, tc.yaml)), tc.want...)
		})
	}
}
