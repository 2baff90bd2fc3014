package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Egress paths (config key `path`).
const (
	PathOllama = "ollama"
	PathSquid  = "squid"
)

// Squid modes (config key `squidMode`).
const (
	SquidDocker   = "docker"
	SquidCluster  = "cluster"
	SquidExisting = "existing"
)

// Config is everything a stack can set, read once and validated before any resource is created.
type Config struct {
	Path    string
	Cluster ClusterConfig
	Client  ClientConfig
	Ollama  OllamaConfig
	Squid   SquidConfig
}

// ClusterConfig selects and shapes the cluster.
type ClusterConfig struct {
	Mode          string // kind | existing
	Name          string
	Kubeconfig    Secret // existing only
	Context       string // existing only, optional
	PodSubnet     string
	ServiceSubnet string
	DockerNetwork string // the Docker network that pods can reach containers on
	// Charts is where charts come from (chartMirror); GatewayAPICRDs where the CRD bundle does (gatewayAPICRDs).
	Charts         kube.ChartSource
	GatewayAPICRDs string
}

// ClientConfig is the ambient-enrolled test client.
type ClientConfig struct {
	Namespace string
}

// OllamaConfig is the Ollama path: the kgateway egress gateway and the Ollama container behind it.
type OllamaConfig struct {
	Mode               string // docker | existing
	Address            string // existing only: host or IP
	GatewayNamespace   string
	GatewayPort        int
	Hostname           string // the external host clients address (Host header, ServiceEntry host)
	Port               int    // Ollama's port
	Model              string // optional model to pre-pull
	RetryAttempts      int
	RetryPerTryTimeout string // Gateway API duration, e.g. "10s"
	RequestTimeout     string
}

// SquidConfig is the Squid path: agentgateway tunnelling through a Squid forward proxy.
type SquidConfig struct {
	Mode     string // docker | cluster | existing
	Address  string // existing only: host:port
	Username string // optional proxy credentials
	// AddressSecret and UsernameSecret say the value was set as a secret: it must reach every resource and
	// output as a Pulumi secret.
	AddressSecret  bool
	UsernameSecret bool
	Password       Secret
	Destinations   []Destination
	Kyverno        bool // also run Kyverno and its ServiceEntry approval policy on this path
}

// Destination is an external host clients may reach through the gateway (stacks/destination.go).
type Destination struct {
	Host string
	Port int  // the destination's own port, which the gateway connects to
	TLS  bool // the gateway originates TLS to it; clients call it in plain HTTP on TLSClientPort
}

// Secret is a config value that must never be printed: %v, %s and %q show "<secret>".
type Secret struct{ value string }

// NewSecret wraps a value.
func NewSecret(v string) Secret { return Secret{value: v} }

// String hides the value.
func (s Secret) String() string { return "<secret>" }

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return "<secret>" }

// IsSet reports whether a value was given.
func (s Secret) IsSet() bool { return s.value != "" }

// Output is the value as a Pulumi secret: the only way out of this type.
func (s Secret) Output() pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.String(s.value)).(pulumi.StringOutput)
}
