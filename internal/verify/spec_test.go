package verify

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ollamaOutputs = `{
  "path": "ollama",
  "kubeconfig": "apiVersion: v1\nkind: Config\n",
  "clusterName": "egress-mesh",
  "gatewayAddress": "egress-kgateway.egress.svc.cluster.local:8080",
  "checks": {"allowed": "kubectl exec ..."},
  "verify": {
    "path": "ollama",
    "clientNamespace": "egress-client", "clientDeployment": "curl-client", "clientContainer": "client",
    "clientServiceAccount": "curl-client",
    "gatewayNamespace": "egress", "gatewaySelector": "gateway.networking.k8s.io/gateway-name=egress-kgateway",
    "gatewayURL": "http://egress-kgateway.egress.svc.cluster.local:8080/",
    "hostHeader": "host.docker.internal", "authzHeader": "x-force-authorized",
    "ollamaContainer": "ollama-server", "ollamaEndpoint": "http://172.18.0.5:11434",
    "retry": {"attempts": 3, "perTryTimeout": "5s", "requestTimeout": "30s"},
    "deniedEvidence": {"header": "x-egress-authz", "value": "denied"},
    "authzServer": {"namespace": "kyverno-authz", "deployment": "kyverno-authz-server",
      "selector": "app.kubernetes.io/name=kyverno-authz-server"},
    "authzErrorStatus": 503
  }
}`

const squidOutputs = `{
  "path": "squid", "kubeconfig": "apiVersion: v1", "clusterName": "egress-mesh-squid",
  "verify": {
    "path": "squid",
    "clientNamespace": "ns1", "clientDeployment": "curl-client", "clientContainer": "client",
    "clientServiceAccount": "curl-client",
    "destinationURL": "http://httpbingo.org/headers",
    "extAuthzNamespace": "ext-authz", "extAuthzSelector": "app=ext-authz",
    "squidLogs": {"kind": "docker", "container": "egress-squid"},
    "squidProxy": "172.18.0.9:3128",
    "authzServer": {"namespace": "ext-authz", "deployment": "ext-authz", "selector": "app=ext-authz"},
    "authzErrorStatus": 403,
    "tlsDestinations": [{"url": "http://api.openai.com/v1/models", "connect": "api.openai.com:443"}]
  }
}`

func TestParseOutputsOllama(t *testing.T) {
	o, err := ParseOutputs([]byte(ollamaOutputs))
	require.NoError(t, err)
	assert.Equal(t, "egress-mesh", o.ClusterName)
	assert.Equal(t, ollamaSpec(), o.Verify)
	assert.Equal(t, "kubectl exec ...", o.Checks["allowed"])
}

func TestParseOutputsSquid(t *testing.T) {
	o, err := ParseOutputs([]byte(squidOutputs))
	require.NoError(t, err)
	assert.Equal(t, &SquidLogs{Kind: SquidLogsDocker, Container: "egress-squid"}, o.Verify.SquidLogs)
	assert.Equal(t, []TLSDestination{{URL: "http://api.openai.com/v1/models", Connect: "api.openai.com:443"}}, o.Verify.TLSDestinations)
	assert.Equal(t, 403, o.Verify.AuthzErrorStatus)
	assert.Equal(t, "spiffe://cluster.local/ns/ns1/sa/curl-client", o.Verify.ClientPrincipal())
}

func TestOutputsFromMapMatchesTheJSON(t *testing.T) {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(ollamaOutputs), &m))
	o, err := OutputsFromMap(m)
	require.NoError(t, err)
	assert.Equal(t, ollamaSpec(), o.Verify)
}

func TestValidateNamesEveryProblem(t *testing.T) {
	cases := map[string]struct {
		json string
		want []string
	}{
		"not json":             {`pulumi: no stack selected`, []string{"not the JSON"}},
		"secret hidden":        {`{"path":"ollama","kubeconfig":"[secret]","verify":{"path":"ollama"}}`, []string{"--show-secrets", "verify.gatewayURL", "verify.ollamaEndpoint"}},
		"unknown path":         {`{"path":"envoy","kubeconfig":"x","verify":{"path":"envoy"}}`, []string{`path is "envoy"`}},
		"path mismatch":        {`{"path":"squid","kubeconfig":"x","verify":{"path":"ollama"}}`, []string{"verify.path", "verify.squidLogs is missing", "verify.destinationURL"}},
		"squid pod no sel":     {`{"path":"squid","kubeconfig":"x","verify":{"path":"squid","squidLogs":{"kind":"pod","namespace":"proxy"}}}`, []string{"squidLogs.selector"}},
		"squid bad kind":       {`{"path":"squid","kubeconfig":"x","verify":{"path":"squid","squidLogs":{"kind":"file"}}}`, []string{`kind is "file"`}},
		"no kubeconfig":        {`{"path":"ollama","verify":{"path":"ollama"}}`, []string{"kubeconfig is missing", "verify.clientNamespace"}},
		"docker no container":  {`{"path":"squid","kubeconfig":"x","verify":{"path":"squid","squidLogs":{"kind":"docker"}}}`, []string{"squidLogs.container", "verify.squidProxy", "verify.authzServer is missing"}},
		"bad retry":            {`{"path":"ollama","kubeconfig":"x","verify":{"path":"ollama","retry":{"attempts":-1,"perTryTimeout":"ten seconds"}}}`, []string{"retry.attempts is -1", `retry.perTryTimeout "ten seconds"`}},
		"no retry":             {`{"path":"ollama","kubeconfig":"x","verify":{"path":"ollama"}}`, []string{"verify.retry is missing", "verify.ollamaEndpoint"}},
		"authz server partial": {`{"path":"ollama","kubeconfig":"x","verify":{"path":"ollama","authzServer":{"namespace":"a"},"authzErrorStatus":200}}`, []string{"authzServer.deployment", "authzServer.selector", "authzErrorStatus is 200"}},
		"tls destination":      {`{"path":"squid","kubeconfig":"x","verify":{"path":"squid","tlsDestinations":[{"url":"http://a/"}]}}`, []string{"tlsDestinations[0].connect"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseOutputs([]byte(c.json))
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestValidateAcceptsNoneWithoutDetails(t *testing.T) {
	_, err := ParseOutputs([]byte(`{"path":"squid","kubeconfig":"x","verify":{"path":"squid","clientNamespace":"ns1",
		"clientDeployment":"c","clientContainer":"client","clientServiceAccount":"c","destinationURL":"http://h/",
		"extAuthzNamespace":"e","extAuthzSelector":"app=e","squidLogs":{"kind":"none"},"squidProxy":"proxy.corp:3128",
		"authzServer":{"namespace":"e","deployment":"e","selector":"app=e"},"authzErrorStatus":403}}`))
	require.NoError(t, err)
}
