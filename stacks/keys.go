package stacks

// Namespace is the Pulumi config namespace of every key (the project name).
const Namespace = "egress-mesh"

// Secrecy says whether a key's value may, must or must not be set with `pulumi config set --secret`.
type Secrecy int

const (
	// SecretRefused keys name things every reader of the cluster sees (namespaces, ports, CIDRs, host names in
	// ServiceEntries): a secret there would only be secret in Pulumi's state, so the program refuses it rather
	// than pretend.
	SecretRefused Secrecy = iota
	// SecretAllowed keys keep their secrecy end to end when set as secrets: every resource input, output and
	// message derived from them is a Pulumi secret or reads `<secret>`.
	SecretAllowed
	// SecretRequired keys are refused in plain text.
	SecretRequired
)

// Condition is "key has value": a Key applies only while all its conditions hold.
type Condition struct{ Key, Value string }

// Key describes one config key. Keys is the single source of names, defaults, secrecy, the path or mode a key
// belongs to, and documentation: Pulumi.yaml's config block and the README's reference are checked against it.
type Key struct {
	Name    string
	Type    string // string | integer | boolean | array, as in Pulumi.yaml
	Default string // "" means no default; a path-dependent default is described in Doc
	Secrecy Secrecy
	// Only lists the conditions under which the key is read; set otherwise, it is an error saying so.
	Only []Condition
	Doc  string
}

var (
	onOllama   = []Condition{{"path", PathOllama}}
	onSquid    = []Condition{{"path", PathSquid}}
	onExisting = []Condition{{"cluster", "existing"}}
)

// Keys lists every key the program reads.
var Keys = []Key{
	{Name: "path", Type: "string", Default: PathOllama, Doc: "Egress path: ollama (kgateway + Ollama in Docker) or squid (agentgateway + Squid CONNECT)."},
	{Name: "cluster", Type: "string", Default: "kind", Doc: "kind (create a kind cluster) or existing (use kubeconfig)."},
	{Name: "clusterName", Type: "string", Default: "egress-mesh", Doc: "kind cluster name; also the Kubernetes provider's clusterIdentifier."},
	{Name: "kubeconfig", Type: "string", Secrecy: SecretRequired, Only: onExisting, Doc: "Kubeconfig of an existing cluster (required when cluster=existing; set with --secret)."},
	{Name: "kubeContext", Type: "string", Only: onExisting, Doc: "Context in kubeconfig to use (existing cluster; default: its current context)."},
	{Name: "podSubnet", Type: "string", Default: "10.244.0.0/16", Doc: "Pod CIDR of the cluster (kind is created with it; Squid's ACL and NetworkPolicies use it)."},
	{Name: "serviceSubnet", Type: "string", Default: "10.96.0.0/16", Doc: "Service CIDR of the kind cluster."},
	{Name: "dockerNetwork", Type: "string", Default: "kind", Doc: "Docker network that pods reach containers on (kind's own network)."},
	{Name: "chartMirror", Type: "string", Doc: "Where charts come from instead of their upstream repositories: a directory of <chart>/<version>/ chart directories, an oci:// prefix or an https:// Helm repository (air-gapped installs)."},
	{Name: "gatewayAPICRDs", Type: "string", Doc: "Where the Gateway API CRDs come from instead of the release asset: an https:// URL, a file, or a directory of CRD files."},
	{Name: "clientNamespace", Type: "string", Doc: "Namespace of the ambient test client (default: egress-client on ollama, ns1 on squid)."},

	{Name: "gatewayNamespace", Type: "string", Default: "egress", Only: onOllama, Doc: "ollama: namespace of the kgateway egress Gateway, route, policies and ServiceEntry."},
	{Name: "gatewayPort", Type: "integer", Default: "8080", Only: onOllama, Doc: "ollama: port of the Gateway's HTTP listener."},
	{Name: "ollamaMode", Type: "string", Default: OllamaDocker, Only: onOllama, Doc: "ollama: docker (run Ollama in a container on dockerNetwork) or existing (an Ollama that already runs at ollamaAddress)."},
	{Name: "ollamaAddress", Type: "string", Only: []Condition{{"path", PathOllama}, {"ollamaMode", OllamaExisting}}, Doc: "ollama: host name or IP of an existing Ollama (required when ollamaMode=existing; the port is ollamaPort)."},
	{Name: "ollamaHostname", Type: "string", Default: "host.docker.internal", Only: onOllama, Doc: "ollama: external host name clients address (Host header, ServiceEntry host)."},
	{Name: "ollamaPort", Type: "integer", Default: "11434", Only: onOllama, Doc: "ollama: Ollama's port."},
	{Name: "ollamaModel", Type: "string", Only: []Condition{{"path", PathOllama}, {"ollamaMode", OllamaDocker}}, Doc: "ollama: optional model to pre-pull into the container, e.g. llama3.2:1b."},
	{Name: "retryAttempts", Type: "integer", Default: "3", Only: onOllama, Doc: "ollama: retry attempts on 503/504 (1-10)."},
	{Name: "retryPerTryTimeout", Type: "string", Default: "10s", Only: onOllama, Doc: "ollama: timeout of each try; must be shorter than requestTimeout."},
	{Name: "requestTimeout", Type: "string", Default: "30s", Only: onOllama, Doc: "ollama: timeout of the whole request, retries included."},

	{Name: "squidMode", Type: "string", Default: SquidCluster, Only: onSquid, Doc: "squid: where Squid runs: docker (container on dockerNetwork), cluster (Deployment), existing (squidAddress)."},
	{Name: "squidAddress", Type: "string", Secrecy: SecretAllowed, Only: []Condition{{"path", PathSquid}, {"squidMode", SquidExisting}}, Doc: "squid: host:port of an existing forward proxy (required when squidMode=existing)."},
	{Name: "squidUsername", Type: "string", Secrecy: SecretAllowed, Only: onSquid, Doc: "squid: proxy user, sent as Proxy-Authorization (needs squidPassword)."},
	{Name: "squidPassword", Type: "string", Secrecy: SecretRequired, Only: onSquid, Doc: "squid: proxy password (set with --secret)."},
	{Name: "destinations", Type: "array", Default: `["httpbingo.org:80"]`, Only: onSquid, Doc: "squid: allowed external destinations: host or host:port (plain HTTP, port 80 by default), or tls://host[:port] (the gateway originates TLS, port 443 by default; clients call http://host/)."},
	{Name: "kyverno", Type: "boolean", Default: "false", Only: onSquid, Doc: "squid: also install Kyverno and require the approval label on ServiceEntries."},
}

// KeyNamed returns the key with this short name.
func KeyNamed(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}
