package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
)

// raw builds config as Pulumi hands it over; keys ending in "!" are set as secrets.
func raw(kv ...string) Raw {
	r := Raw{Values: map[string]string{}, Secrets: map[string]bool{}}
	for i := 0; i+1 < len(kv); i += 2 {
		key := kv[i]
		secret := strings.HasSuffix(key, "!")
		key = strings.TrimSuffix(key, "!")
		r.Values[key] = kv[i+1]
		r.Secrets[key] = secret
	}
	return r
}

func TestParseDefaultsAreTheOllamaPathOnKind(t *testing.T) {
	cfg, err := Parse(raw())
	require.NoError(t, err)
	assert.Equal(t, PathOllama, cfg.Path)
	assert.Equal(t, ClusterConfig{Mode: "kind", Name: "egress-mesh", PodSubnet: "10.244.0.0/16",
		ServiceSubnet: "10.96.0.0/16", DockerNetwork: "kind"}, cfg.Cluster)
	assert.Equal(t, "egress-client", cfg.Client.Namespace)
	assert.Equal(t, OllamaConfig{Mode: OllamaDocker, GatewayNamespace: "egress", GatewayPort: 8080, Hostname: "host.docker.internal",
		Port: 11434, RetryAttempts: 3, RetryPerTryTimeout: "10s", RequestTimeout: "30s"}, cfg.Ollama)
	assert.Equal(t, []Destination{{Host: "httpbingo.org", Port: 80}}, cfg.Squid.Destinations)
	assert.Equal(t, SquidCluster, cfg.Squid.Mode)
}

func TestParseSquidPathDefaultsAndDestinations(t *testing.T) {
	cfg, err := Parse(raw("path", "squid", "destinations", `["httpbingo.org", "tls://api.example.com", "10.1.2.3:8080"]`,
		"squidUsername", "egress", "squidPassword!", "hunter2"))
	require.NoError(t, err)
	assert.Equal(t, "ns1", cfg.Client.Namespace, "the seed's client namespace is the squid path's default")
	assert.Equal(t, []Destination{{"httpbingo.org", 80, false}, {"api.example.com", 443, true}, {"10.1.2.3", 8080, false}}, cfg.Squid.Destinations)
	assert.Equal(t, "<secret>", fmt.Sprintf("%v %s", cfg.Squid.Password, cfg.Squid.Password)[9:], "a Secret never prints its value")
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), "hunter2")
}

// Pulumi.yaml gives every optional key the default "", so the program sees them all set to "": unset.
func TestParseTreatsPulumisEmptyDefaultsAsUnset(t *testing.T) {
	var kv []string
	for _, k := range Keys {
		if k.Default == "" {
			kv = append(kv, k.Name, "")
		}
	}
	require.Greater(t, len(kv), 10)
	for _, path := range []string{PathOllama, PathSquid} {
		cfg, err := Parse(raw(append(kv, "path", path)...))
		require.NoError(t, err, path)
		assert.False(t, cfg.Cluster.Kubeconfig.IsSet())
		assert.NotEmpty(t, cfg.Client.Namespace, "the path's default client namespace applies")
	}
}

func TestParseExistingCluster(t *testing.T) {
	cfg, err := Parse(raw("cluster", "existing", "kubeconfig!", recorder.FakeKubeconfig, "kubeContext", "kind-mock"))
	require.NoError(t, err)
	assert.True(t, cfg.Cluster.Kubeconfig.IsSet())
	assert.Equal(t, "kind-mock", cfg.Cluster.Context)
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Parse(raw("path", "nope", "gatewayPort", "-1", "clusterName", "X"))
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.Len(t, lines, 3, err.Error())
	for _, key := range []string{"path", "gatewayPort", "clusterName"} {
		assert.Contains(t, err.Error(), "egress-mesh:"+key)
	}
}

func TestEveryKeyHasADocAndAValidDefault(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Keys {
		assert.False(t, seen[k.Name], "key %s listed twice", k.Name)
		seen[k.Name] = true
		assert.NotEmpty(t, k.Doc, k.Name)
		assert.Contains(t, []string{"string", "integer", "boolean", "array"}, k.Type, k.Name)
		assert.False(t, k.Secrecy == SecretRequired && k.Default != "", "secret %s must not have a default", k.Name)
		for _, c := range k.Only {
			_, known := KeyNamed(c.Key)
			assert.True(t, known, "key %s applies only when the unknown key %s is %s", k.Name, c.Key, c.Value)
		}
	}
	// Defaults alone form a valid config (the dev stack sets almost nothing).
	_, err := Parse(raw())
	require.NoError(t, err)
}
