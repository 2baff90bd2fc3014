package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	assert.Equal(t, OllamaConfig{GatewayNamespace: "egress", GatewayPort: 8080, Hostname: "host.docker.internal",
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
	cfg, err := Parse(raw("cluster", "existing", "kubeconfig!", "apiVersion: v1", "kubeContext", "prod"))
	require.NoError(t, err)
	assert.True(t, cfg.Cluster.Kubeconfig.IsSet())
	assert.Equal(t, "prod", cfg.Cluster.Context)
}

// Every bad input gives exactly one error that names the key, the bad value and what is allowed.
func TestParseRejectsBadInputWithExactErrors(t *testing.T) {
	cases := []struct {
		name string
		in   Raw
		want string
	}{
		{"unknown path", raw("path", "envoy"),
			`config egress-mesh:path = "envoy" must be one of: ollama, squid`},
		{"path case matters", raw("path", "Ollama"),
			`config egress-mesh:path = "Ollama" must be one of: ollama, squid`},
		{"unknown cluster mode", raw("cluster", "minikube"),
			`config egress-mesh:cluster = "minikube" must be one of: kind, existing`},
		{"empty cluster name", raw("clusterName", ""),
			`config egress-mesh:clusterName must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters`},
		{"cluster name with capitals", raw("clusterName", "Egress"),
			`config egress-mesh:clusterName = "Egress" must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters`},
		{"cluster name too long", raw("clusterName", strings.Repeat("a", 41)),
			`config egress-mesh:clusterName = "` + strings.Repeat("a", 41) + `" must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters`},
		{"existing cluster without kubeconfig", raw("cluster", "existing"),
			"config egress-mesh:kubeconfig is required when cluster is \"existing\"; set it with `pulumi config set --secret kubeconfig < FILE`"},
		{"kubeconfig in plain text", raw("cluster", "existing", "kubeconfig", "apiVersion: v1"),
			"config egress-mesh:kubeconfig = \"<plain text>\" must be set as a secret: `pulumi config set --secret kubeconfig`"},
		{"kube context on kind", raw("kubeContext", "prod"),
			`config egress-mesh:kubeContext = "<set>" only applies when cluster is "existing"; remove it or set cluster to existing`},
		{"pod subnet not a CIDR", raw("podSubnet", "10.244.0.0"),
			`config egress-mesh:podSubnet = "10.244.0.0" must be an IPv4 CIDR such as 10.244.0.0/16`},
		{"pod subnet with host bits", raw("podSubnet", "10.244.1.1/16"),
			`config egress-mesh:podSubnet = "10.244.1.1/16" must be an IPv4 CIDR such as 10.244.0.0/16`},
		{"docker network with a space", raw("dockerNetwork", "my net"),
			`config egress-mesh:dockerNetwork = "my net" must be a Docker network name: letters, digits, '_', '.', '-', starting with a letter or digit`},
		{"gateway port zero", raw("gatewayPort", "0"),
			`config egress-mesh:gatewayPort = "0" must be a whole number from 1 to 65535`},
		{"gateway port too high", raw("gatewayPort", "70000"),
			`config egress-mesh:gatewayPort = "70000" must be a whole number from 1 to 65535`},
		{"ollama port not a number", raw("ollamaPort", "http"),
			`config egress-mesh:ollamaPort = "http" must be a whole number from 1 to 65535`},
		{"hostname with scheme", raw("ollamaHostname", "http://ollama"),
			`config egress-mesh:ollamaHostname = "http://ollama" must be a DNS name such as api.example.com (lowercase, no scheme, no port)`},
		{"model with spaces", raw("ollamaModel", "llama 3"),
			`config egress-mesh:ollamaModel = "llama 3" must be an Ollama model name such as llama3.2:1b (name[:tag], lowercase)`},
		{"no retries", raw("retryAttempts", "0"),
			`config egress-mesh:retryAttempts = "0" must be a whole number from 1 to 10`},
		{"too many retries", raw("retryAttempts", "11"),
			`config egress-mesh:retryAttempts = "11" must be a whole number from 1 to 10`},
		{"per-try timeout in Go syntax Gateway API rejects", raw("retryPerTryTimeout", "1.5s"),
			`config egress-mesh:retryPerTryTimeout = "1.5s" must be a positive Gateway API duration such as 10s, 500ms or 1m30s`},
		{"request timeout zero", raw("requestTimeout", "0s"),
			`config egress-mesh:requestTimeout = "0s" must be a positive Gateway API duration such as 10s, 500ms or 1m30s`},
		{"retry timeout not shorter than request timeout", raw("retryPerTryTimeout", "30s"),
			`config egress-mesh:retryPerTryTimeout = "30s" must be shorter than requestTimeout (30s)`},
		{"retry timeout longer than request timeout", raw("retryPerTryTimeout", "1m", "requestTimeout", "45s"),
			`config egress-mesh:retryPerTryTimeout = "1m" must be shorter than requestTimeout (45s)`},
		{"client namespace not a label", raw("clientNamespace", "egress_client"),
			`config egress-mesh:clientNamespace = "egress_client" must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`},
		{"client in the gateway namespace", raw("clientNamespace", "egress"),
			`config egress-mesh:clientNamespace = "egress" must differ from gatewayNamespace: the L4 policy admits the client's identity, not its namespace's`},

		// Squid path.
		{"unknown squid mode", raw("path", "squid", "squidMode", "sidecar"),
			`config egress-mesh:squidMode = "sidecar" must be one of: docker, cluster, existing`},
		{"existing proxy without address", raw("path", "squid", "squidMode", "existing"),
			`config egress-mesh:squidAddress is required when squidMode is "existing"; give host:port, e.g. proxy.corp.example:3128`},
		{"proxy address without port", raw("path", "squid", "squidMode", "existing", "squidAddress", "proxy.corp.example"),
			`config egress-mesh:squidAddress = "proxy.corp.example" must be host:port, e.g. proxy.corp.example:3128 (no port)`},
		{"proxy address with bad port", raw("path", "squid", "squidMode", "existing", "squidAddress", "proxy:99999"),
			`config egress-mesh:squidAddress = "proxy:99999" must be host:port, e.g. proxy.corp.example:3128 (port must be 1-65535)`},
		{"proxy address for an in-cluster squid", raw("path", "squid", "squidAddress", "proxy:3128"),
			`config egress-mesh:squidAddress = "proxy:3128" only applies when squidMode is "existing"`},
		{"destination without host", raw("path", "squid", "destinations", `[":80"]`),
			`config egress-mesh:destinations[0] = ":80" must be host, host:port or tls://host[:port] with a DNS host name (no host)`},
		{"destination with scheme", raw("path", "squid", "destinations", `["https://api.example.com"]`),
			`config egress-mesh:destinations[0] = "https://api.example.com" must be host, host:port or tls://host[:port] with a DNS host name (a URL: write host, host:port, or tls://host[:port] for a destination the gateway reaches over TLS)`},
		{"destination with underscore", raw("path", "squid", "destinations", `["bad_host.example.com"]`),
			`config egress-mesh:destinations[0] = "bad_host.example.com" must be host, host:port or tls://host[:port] with a DNS host name (host is not a DNS name or IPv4 address)`},
		{"destination listed twice", raw("path", "squid", "destinations", `["a.example.com", "tls://a.example.com"]`),
			`config egress-mesh:destinations[1] = "tls://a.example.com" names a host already listed; list each host once`},
		{"destinations empty", raw("path", "squid", "destinations", `[]`),
			`config egress-mesh:destinations = "[]" must name at least one destination`},
		{"destinations not a list", raw("path", "squid", "destinations", `httpbingo.org`),
			`config egress-mesh:destinations = "httpbingo.org" must be a list of host, host:port or tls://host[:port] strings, e.g. ["httpbingo.org:80", "tls://api.example.com"]`},
		{"credentials without a secret", raw("path", "squid", "squidUsername", "egress"),
			"config egress-mesh:squidPassword is required when squidUsername is set; set it with `pulumi config set --secret squidPassword`"},
		{"password in plain text", raw("path", "squid", "squidUsername", "egress", "squidPassword", "hunter2"),
			"config egress-mesh:squidPassword = \"<plain text>\" must be set as a secret: `pulumi config set --secret squidPassword`"},
		{"password without user", raw("path", "squid", "squidPassword!", "hunter2"),
			`config egress-mesh:squidUsername is required when squidPassword is set`},
		{"kyverno not a boolean", raw("path", "squid", "kyverno", "yes please"),
			`config egress-mesh:kyverno = "yes please" must be true or false`},
	}
	require.GreaterOrEqual(t, len(cases), 30)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse(tc.in)
			require.Error(t, err)
			assert.Nil(t, cfg)
			assert.Equal(t, tc.want, err.Error())
			assert.NotContains(t, err.Error(), "hunter2", "errors never show secrets")
		})
	}
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
		assert.False(t, k.Secret && k.Default != "", "secret %s must not have a default", k.Name)
	}
	// Defaults alone form a valid config (the dev stack sets almost nothing).
	_, err := Parse(raw())
	require.NoError(t, err)
}
