package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/stacks"
)

// cfg builds config as Pulumi hands it over; keys ending in "!" are set as secrets.
func cfg(kv ...string) stacks.Raw {
	r := stacks.Raw{Values: map[string]string{}, Secrets: map[string]bool{}}
	for i := 0; i+1 < len(kv); i += 2 {
		key, secret := strings.TrimSuffix(kv[i], "!"), strings.HasSuffix(kv[i], "!")
		r.Values[key], r.Secrets[key] = kv[i+1], secret
	}
	return r
}

const (
	kubeconfigOK = recorder.FakeKubeconfig // one context, kind-mock, also the current one
	// What each path takes, from the components' namespaces and Kubernetes' initial ones (default, kube-*),
	// plus kind's local-path-storage. Written out here, not read from the program.
	ollamaTaken = "default, egress, istio-system, kgateway-system, kube-node-lease, kube-public, kube-system, kyverno, kyverno-authz, local-path-storage"
	squidTaken  = "agentgateway-egress, agentgateway-system, default, ext-authz, istio-system, kube-node-lease, kube-public, kube-system, local-path-storage, proxy"
)

// taken is the namespace rule's message.
func taken(key, ns, owner, who, list string) string {
	return fmt.Sprintf(`config egress-mesh:%s = %q is already the namespace of %s; %s needs a namespace of its own (taken in this config: %s)`,
		key, ns, owner, who, list)
}

func onlyWhen(key, value, cond, want, got string) string {
	return fmt.Sprintf(`config egress-mesh:%s = %q only applies when %s is %q (it is %q); remove it or set %s to %s`,
		key, value, cond, want, got, cond, want)
}

const refusedSecret = `cannot be a secret: it becomes a name, port or address that every reader of the cluster sees, so Pulumi's encryption would protect nothing; set it in plain text. Keys that may be secrets: kubeconfig, squidAddress, squidUsername, squidPassword`

type badCase struct {
	name string
	in   stacks.Raw
	want string
}

// badInputs is every bad config the program must refuse: the value-by-value rules, unknown keys, keys of the
// other path or mode, namespace collisions, secrecy, and the kubeconfig.
var badInputs = []badCase{
	// Values, one key at a time.
	{"unknown path", cfg("path", "envoy"), `config egress-mesh:path = "envoy" must be one of: ollama, squid`},
	{"path case matters", cfg("path", "Ollama"), `config egress-mesh:path = "Ollama" must be one of: ollama, squid`},
	{"unknown cluster mode", cfg("cluster", "minikube"), `config egress-mesh:cluster = "minikube" must be one of: kind, existing`},
	{"empty cluster name", cfg("clusterName", ""), `config egress-mesh:clusterName must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters`},
	{"cluster name with capitals", cfg("clusterName", "Egress"), `config egress-mesh:clusterName = "Egress" must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters`},
	{"cluster name too long", cfg("clusterName", strings.Repeat("a", 41)), `config egress-mesh:clusterName = "` + strings.Repeat("a", 41) + `" must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters`},
	{"pod subnet not a CIDR", cfg("podSubnet", "10.244.0.0"), `config egress-mesh:podSubnet = "10.244.0.0" must be an IPv4 CIDR such as 10.244.0.0/16`},
	{"pod subnet IPv6", cfg("podSubnet", "fd00::/64"), `config egress-mesh:podSubnet = "fd00::/64" must be an IPv4 CIDR such as 10.244.0.0/16`},
	{"pod subnet with host bits", cfg("podSubnet", "10.244.1.1/16"), `config egress-mesh:podSubnet = "10.244.1.1/16" has host bits set: the network is 10.244.0.0/16; write that`},
	{"service subnet with host bits", cfg("serviceSubnet", "10.96.0.1/12"), `config egress-mesh:serviceSubnet = "10.96.0.1/12" has host bits set: the network is 10.96.0.0/12; write that`},
	{"subnets equal", cfg("serviceSubnet", "10.244.0.0/16"), `config egress-mesh:serviceSubnet = "10.244.0.0/16" overlaps podSubnet (10.244.0.0/16); the two ranges must not share an address`},
	{"service subnet inside pod subnet", cfg("podSubnet", "10.0.0.0/8"), `config egress-mesh:serviceSubnet = "10.96.0.0/16" overlaps podSubnet (10.0.0.0/8); the two ranges must not share an address`},
	{"pod subnet inside service subnet", cfg("serviceSubnet", "10.244.128.0/17"), `config egress-mesh:serviceSubnet = "10.244.128.0/17" overlaps podSubnet (10.244.0.0/16); the two ranges must not share an address`},
	{"docker network with a space", cfg("dockerNetwork", "my net"), `config egress-mesh:dockerNetwork = "my net" must be a Docker network name: letters, digits, '_', '.', '-', starting with a letter or digit`},
	{"gateway port zero", cfg("gatewayPort", "0"), `config egress-mesh:gatewayPort = "0" must be a whole number from 1 to 65535`},
	{"gateway port too high", cfg("gatewayPort", "70000"), `config egress-mesh:gatewayPort = "70000" must be a whole number from 1 to 65535`},
	{"gateway port with a plus sign", cfg("gatewayPort", "+8080"), `config egress-mesh:gatewayPort = "+8080" must be a whole number from 1 to 65535`},
	{"ollama port not a number", cfg("ollamaPort", "http"), `config egress-mesh:ollamaPort = "http" must be a whole number from 1 to 65535`},
	{"ollama port negative", cfg("ollamaPort", "-1"), `config egress-mesh:ollamaPort = "-1" must be a whole number from 1 to 65535`},
	{"hostname with scheme", cfg("ollamaHostname", "http://ollama"), `config egress-mesh:ollamaHostname = "http://ollama" must be a DNS name such as api.example.com (lowercase, no scheme, no port)`},
	{"model with spaces", cfg("ollamaModel", "llama 3"), `config egress-mesh:ollamaModel = "llama 3" must be an Ollama model name such as llama3.2:1b (name[:tag], lowercase)`},
	{"no retries", cfg("retryAttempts", "0"), `config egress-mesh:retryAttempts = "0" must be a whole number from 1 to 10`},
	{"too many retries", cfg("retryAttempts", "11"), `config egress-mesh:retryAttempts = "11" must be a whole number from 1 to 10`},
	{"retries as a decimal", cfg("retryAttempts", "3.0"), `config egress-mesh:retryAttempts = "3.0" must be a whole number from 1 to 10`},
	{"per-try timeout in Go syntax Gateway API rejects", cfg("retryPerTryTimeout", "1.5s"), `config egress-mesh:retryPerTryTimeout = "1.5s" must be a positive Gateway API duration such as 10s, 500ms or 1m30s`},
	{"request timeout zero", cfg("requestTimeout", "0s"), `config egress-mesh:requestTimeout = "0s" must be a positive Gateway API duration such as 10s, 500ms or 1m30s`},
	{"retry timeout not shorter than request timeout", cfg("retryPerTryTimeout", "30s"), `config egress-mesh:retryPerTryTimeout = "30s" must be shorter than requestTimeout (30s)`},
	{"retry timeout longer than request timeout", cfg("retryPerTryTimeout", "1m", "requestTimeout", "45s"), `config egress-mesh:retryPerTryTimeout = "1m" must be shorter than requestTimeout (45s)`},
	{"client namespace not a label", cfg("clientNamespace", "egress_client"), `config egress-mesh:clientNamespace = "egress_client" must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`},
	// Istio's reserved ports (istio.io "Ports used by Istio").
	{"gateway port 15000 envoy admin", cfg("gatewayPort", "15000"), meshPort("15000")},
	{"gateway port 15001 outbound", cfg("gatewayPort", "15001"), meshPort("15001")},
	{"gateway port 15006 inbound", cfg("gatewayPort", "15006"), meshPort("15006")},
	{"gateway port 15008 HBONE", cfg("gatewayPort", "15008"), meshPort("15008")},
	{"gateway port 15020 metrics", cfg("gatewayPort", "15020"), meshPort("15020")},
	{"gateway port 15021 health", cfg("gatewayPort", "15021"), meshPort("15021")},
	{"gateway port 15090 telemetry", cfg("gatewayPort", "15090"), meshPort("15090")},
	// Booleans are exactly what the Pulumi CLI accepts for `type: boolean`.
	{"kyverno one", cfg("path", "squid", "kyverno", "1"), `config egress-mesh:kyverno = "1" must be true or false`},
	{"kyverno capitalised", cfg("path", "squid", "kyverno", "True"), `config egress-mesh:kyverno = "True" must be true or false`},
	{"kyverno t", cfg("path", "squid", "kyverno", "t"), `config egress-mesh:kyverno = "t" must be true or false`},
	{"kyverno not a boolean", cfg("path", "squid", "kyverno", "yes please"), `config egress-mesh:kyverno = "yes please" must be true or false`},

	// The Squid path's values.
	{"unknown squid mode", cfg("path", "squid", "squidMode", "sidecar"), `config egress-mesh:squidMode = "sidecar" must be one of: docker, cluster, existing`},
	{"existing proxy without address", cfg("path", "squid", "squidMode", "existing"), `config egress-mesh:squidAddress is required when squidMode is "existing"; give host:port, e.g. proxy.corp.example:3128`},
	{"proxy address without port", cfg("path", "squid", "squidMode", "existing", "squidAddress", "proxy.corp.example"), `config egress-mesh:squidAddress = "proxy.corp.example" must be host:port, e.g. proxy.corp.example:3128 (no port)`},
	{"proxy address with bad port", cfg("path", "squid", "squidMode", "existing", "squidAddress", "proxy:99999"), `config egress-mesh:squidAddress = "proxy:99999" must be host:port, e.g. proxy.corp.example:3128 (port must be 1-65535)`},
	{"proxy address with signed port", cfg("path", "squid", "squidMode", "existing", "squidAddress", "proxy:+80"), `config egress-mesh:squidAddress = "proxy:+80" must be host:port, e.g. proxy.corp.example:3128 (port must be 1-65535)`},
	{"proxy address with credentials", cfg("path", "squid", "squidMode", "existing", "squidAddress", "bob:pw@proxy:3128"), `config egress-mesh:squidAddress = "bob:pw@proxy:3128" must be host:port without credentials: put them in squidUsername and squidPassword (--secret)`},
	{"proxy address as URL", cfg("path", "squid", "squidMode", "existing", "squidAddress", "http://proxy:3128"), `config egress-mesh:squidAddress = "http://proxy:3128" must be host:port, e.g. proxy.corp.example:3128 (a URL: give the host without a scheme)`},
	{"destination without host", cfg("path", "squid", "destinations", `[":80"]`), `config egress-mesh:destinations[0] = ":80" must be host, host:port or tls://host[:port] with a DNS host name (no host)`},
	{"destination with scheme", cfg("path", "squid", "destinations", `["https://api.example.com"]`), `config egress-mesh:destinations[0] = "https://api.example.com" must be host, host:port or tls://host[:port] with a DNS host name (a URL: write host, host:port, or tls://host[:port] for a destination the gateway reaches over TLS)`},
	{"destination with underscore", cfg("path", "squid", "destinations", `["bad_host.example.com"]`), `config egress-mesh:destinations[0] = "bad_host.example.com" must be host, host:port or tls://host[:port] with a DNS host name (host is not a DNS name or IPv4 address)`},
	{"destination with signed port", cfg("path", "squid", "destinations", `["a.example.com:+80"]`), `config egress-mesh:destinations[0] = "a.example.com:+80" must be host, host:port or tls://host[:port] with a DNS host name (port must be 1-65535)`},
	{"destination listed twice", cfg("path", "squid", "destinations", `["a.example.com", "tls://a.example.com"]`), `config egress-mesh:destinations[1] = "tls://a.example.com" names a host already listed; list each host once`},
	{"destinations empty", cfg("path", "squid", "destinations", `[]`), `config egress-mesh:destinations = "[]" must name at least one destination`},
	{"destinations not a list", cfg("path", "squid", "destinations", `httpbingo.org`), `config egress-mesh:destinations = "httpbingo.org" must be a list of host, host:port or tls://host[:port] strings, e.g. ["httpbingo.org:80", "tls://api.example.com"]`},
	{"credentials without a secret", cfg("path", "squid", "squidUsername", "egress"), "config egress-mesh:squidPassword is required when squidUsername is set; set it with `pulumi config set --secret squidPassword`"},
	{"password without user", cfg("path", "squid", "squidPassword!", "hunter2"), `config egress-mesh:squidUsername is required when squidPassword is set`},
	{"capitalised user for the program's Squid", cfg("path", "squid", "squidUsername", "Egress", "squidPassword!", "hunter2"), `config egress-mesh:squidUsername = "Egress" must be lower case: the program's Squid lower-cases user names before checking them (auth_param basic casesensitive off)`},
	{"user with a colon", cfg("path", "squid", "squidMode", "existing", "squidAddress", "proxy:3128", "squidUsername", "a:b", "squidPassword!", "hunter2"), `config egress-mesh:squidUsername = "a:b" must not contain ':' or control characters (Basic authentication joins user and password with ':')`},
	{"secret user with a colon", cfg("path", "squid", "squidUsername!", "a:b", "squidPassword!", "hunter2"), `config egress-mesh:squidUsername = "<secret>" must not contain ':' or control characters (Basic authentication joins user and password with ':')`},

	// Unknown keys: the Pulumi CLI passes them through, so the program refuses them.
	{"typo squidmode", cfg("path", "squid", "squidmode", "docker"), unknown("squidmode", "squidMode")},
	{"typo retryattempts", cfg("retryattempts", "5"), unknown("retryattempts", "retryAttempts")},
	{"typo retryAtempts", cfg("retryAtempts", "5"), unknown("retryAtempts", "retryAttempts")},
	{"typo gatewayport", cfg("gatewayport", "9090"), unknown("gatewayport", "gatewayPort")},
	{"typo destination", cfg("path", "squid", "destination", `["a.example.com"]`), unknown("destination", "destinations")},
	{"typo kubeconfg", cfg("kubeconfg", "x"), unknown("kubeconfg", "kubeconfig")},
	{"typo Path", cfg("Path", "squid"), unknown("Path", "path")},
	{"typo clientNamspace", cfg("clientNamspace", "team-a"), unknown("clientNamspace", "clientNamespace")},
	{"unknown key, nothing close", cfg("colour", "blue"), `config egress-mesh:colour is not a key of this program; the keys are listed in Pulumi.yaml and the README`},

	// Keys of the other path or mode: the same error whether their value is valid or not.
	{"squid user on ollama", cfg("squidUsername", "egress"), onlyWhen("squidUsername", "egress", "path", "squid", "ollama")},
	{"squid password on ollama", cfg("squidPassword!", "hunter2"), onlyWhen("squidPassword", "<secret>", "path", "squid", "ollama")},
	{"squid mode on ollama", cfg("squidMode", "docker"), onlyWhen("squidMode", "docker", "path", "squid", "ollama")},
	{"bad squid mode on ollama", cfg("squidMode", "sidecar"), onlyWhen("squidMode", "sidecar", "path", "squid", "ollama")},
	{"destinations on ollama", cfg("destinations", `["a.example.com"]`), onlyWhen("destinations", `["a.example.com"]`, "path", "squid", "ollama")},
	{"kyverno on ollama", cfg("kyverno", "true"), onlyWhen("kyverno", "true", "path", "squid", "ollama")},
	{"squid address on ollama", cfg("squidAddress", "proxy:3128"), onlyWhen("squidAddress", "proxy:3128", "path", "squid", "ollama")},
	{"gateway port on squid", cfg("path", "squid", "gatewayPort", "9090"), onlyWhen("gatewayPort", "9090", "path", "ollama", "squid")},
	{"bad gateway port on squid", cfg("path", "squid", "gatewayPort", "abc"), onlyWhen("gatewayPort", "abc", "path", "ollama", "squid")},
	{"gateway namespace on squid", cfg("path", "squid", "gatewayNamespace", "gw"), onlyWhen("gatewayNamespace", "gw", "path", "ollama", "squid")},
	{"ollama model on squid", cfg("path", "squid", "ollamaModel", "llama3.2:1b"), onlyWhen("ollamaModel", "llama3.2:1b", "path", "ollama", "squid")},
	{"retries on squid", cfg("path", "squid", "retryAttempts", "5"), onlyWhen("retryAttempts", "5", "path", "ollama", "squid")},
	{"request timeout on squid", cfg("path", "squid", "requestTimeout", "1m"), onlyWhen("requestTimeout", "1m", "path", "ollama", "squid")},
	{"ollama hostname on squid", cfg("path", "squid", "ollamaHostname", "ollama.example"), onlyWhen("ollamaHostname", "ollama.example", "path", "ollama", "squid")},
	{"proxy address for an in-cluster squid", cfg("path", "squid", "squidAddress", "proxy:3128"), onlyWhen("squidAddress", "proxy:3128", "squidMode", "existing", "cluster")},
	{"proxy address for a docker squid", cfg("path", "squid", "squidMode", "docker", "squidAddress", "proxy:3128"), onlyWhen("squidAddress", "proxy:3128", "squidMode", "existing", "docker")},
	{"kube context on kind", cfg("kubeContext", "prod"), onlyWhen("kubeContext", "prod", "cluster", "existing", "kind")},
	{"kubeconfig on kind", cfg("kubeconfig!", kubeconfigOK), onlyWhen("kubeconfig", "<secret>", "cluster", "existing", "kind")},

	// Namespaces: one owner each.
	{"client in kube-system", cfg("clientNamespace", "kube-system"), taken("clientNamespace", "kube-system", "Kubernetes", "the test client", ollamaTaken)},
	{"client in kube-public", cfg("clientNamespace", "kube-public"), taken("clientNamespace", "kube-public", "Kubernetes", "the test client", ollamaTaken)},
	{"client in kube-node-lease", cfg("clientNamespace", "kube-node-lease"), taken("clientNamespace", "kube-node-lease", "Kubernetes", "the test client", ollamaTaken)},
	{"client in default", cfg("clientNamespace", "default"), taken("clientNamespace", "default", "Kubernetes", "the test client", ollamaTaken)},
	{"client in local-path-storage on kind", cfg("clientNamespace", "local-path-storage"), taken("clientNamespace", "local-path-storage", "kind (local-path provisioner)", "the test client", ollamaTaken)},
	{"client in istio-system", cfg("clientNamespace", "istio-system"), taken("clientNamespace", "istio-system", "Istio (istiod, CNI, ztunnel)", "the test client", ollamaTaken)},
	{"client in kgateway-system", cfg("clientNamespace", "kgateway-system"), taken("clientNamespace", "kgateway-system", "the kgateway controller chart", "the test client", ollamaTaken)},
	{"client in kyverno", cfg("clientNamespace", "kyverno"), taken("clientNamespace", "kyverno", "the Kyverno chart", "the test client", ollamaTaken)},
	{"client in kyverno-authz", cfg("clientNamespace", "kyverno-authz"), taken("clientNamespace", "kyverno-authz", "the Kyverno authz server chart", "the test client", ollamaTaken)},
	{"client in the gateway namespace", cfg("clientNamespace", "egress"), taken("clientNamespace", "egress", "the kgateway egress gateway (gatewayNamespace)", "the test client", ollamaTaken)},
	{"gateway in kube-system", cfg("gatewayNamespace", "kube-system"), taken("gatewayNamespace", "kube-system", "Kubernetes", "the kgateway egress gateway", strings.Replace(ollamaTaken, "egress", "egress-client", 1))},
	{"gateway in istio-system", cfg("gatewayNamespace", "istio-system"), taken("gatewayNamespace", "istio-system", "Istio (istiod, CNI, ztunnel)", "the kgateway egress gateway", strings.Replace(ollamaTaken, "egress", "egress-client", 1))},
	{"gateway in kgateway-system", cfg("gatewayNamespace", "kgateway-system"), taken("gatewayNamespace", "kgateway-system", "the kgateway controller chart", "the kgateway egress gateway", strings.Replace(ollamaTaken, "egress", "egress-client", 1))},
	{"gateway in kyverno-authz", cfg("gatewayNamespace", "kyverno-authz"), taken("gatewayNamespace", "kyverno-authz", "the Kyverno authz server chart", "the kgateway egress gateway", strings.Replace(ollamaTaken, "egress", "egress-client", 1))},
	{"gateway in kyverno", cfg("gatewayNamespace", "kyverno"), taken("gatewayNamespace", "kyverno", "the Kyverno chart", "the kgateway egress gateway", strings.Replace(ollamaTaken, "egress", "egress-client", 1))},
	{"squid client in proxy", cfg("path", "squid", "clientNamespace", "proxy"), taken("clientNamespace", "proxy", "Squid (squidMode cluster)", "the test client", squidTaken)},
	{"squid client in agentgateway-egress", cfg("path", "squid", "clientNamespace", "agentgateway-egress"), taken("clientNamespace", "agentgateway-egress", "the agentgateway waypoint", "the test client", squidTaken)},
	{"squid client in agentgateway-system", cfg("path", "squid", "clientNamespace", "agentgateway-system"), taken("clientNamespace", "agentgateway-system", "the agentgateway controller chart", "the test client", squidTaken)},
	{"squid client in ext-authz", cfg("path", "squid", "clientNamespace", "ext-authz"), taken("clientNamespace", "ext-authz", "the ext-authz server", "the test client", squidTaken)},
	{"squid client in istio-system", cfg("path", "squid", "clientNamespace", "istio-system"), taken("clientNamespace", "istio-system", "Istio (istiod, CNI, ztunnel)", "the test client", squidTaken)},
	{"squid client in kube-system", cfg("path", "squid", "clientNamespace", "kube-system"), taken("clientNamespace", "kube-system", "Kubernetes", "the test client", squidTaken)},
	{"squid client in kyverno with kyverno", cfg("path", "squid", "kyverno", "true", "clientNamespace", "kyverno"), taken("clientNamespace", "kyverno", "the Kyverno chart", "the test client", "agentgateway-egress, agentgateway-system, default, ext-authz, istio-system, kube-node-lease, kube-public, kube-system, kyverno, local-path-storage, proxy")},

	// Secrecy: required where it must be, refused where it would protect nothing, never printed.
	{"kubeconfig in plain text", cfg("cluster", "existing", "kubeconfig", kubeconfigOK), "config egress-mesh:kubeconfig = \"<plain text>\" must be set as a secret: `pulumi config set --secret kubeconfig`"},
	{"password in plain text", cfg("path", "squid", "squidUsername", "egress", "squidPassword", "hunter2"), "config egress-mesh:squidPassword = \"<plain text>\" must be set as a secret: `pulumi config set --secret squidPassword`"},
	{"client namespace as a secret", cfg("clientNamespace!", "team-a"), `config egress-mesh:clientNamespace = "<secret>" ` + refusedSecret},
	{"gateway port as a secret", cfg("gatewayPort!", "9090"), `config egress-mesh:gatewayPort = "<secret>" ` + refusedSecret},
	{"destinations as a secret", cfg("path", "squid", "destinations!", `["a.example.com"]`), `config egress-mesh:destinations = "<secret>" ` + refusedSecret},
	{"ollama hostname as a secret", cfg("ollamaHostname!", "ollama.example"), `config egress-mesh:ollamaHostname = "<secret>" ` + refusedSecret},
	{"secret proxy address without port", cfg("path", "squid", "squidMode", "existing", "squidAddress!", "proxy-zq9.example"), `config egress-mesh:squidAddress = "<secret>" must be host:port, e.g. proxy.corp.example:3128 (no port)`},
	{"secret proxy address with credentials", cfg("path", "squid", "squidMode", "existing", "squidAddress!", "bob:pw@proxy-zq9:3128"), `config egress-mesh:squidAddress = "<secret>" must be host:port without credentials: put them in squidUsername and squidPassword (--secret)`},
	{"secret proxy address on ollama", cfg("squidAddress!", "proxy-zq9:3128"), onlyWhen("squidAddress", "<secret>", "path", "squid", "ollama")},

	// The kubeconfig and its context, checked before any resource; the kubeconfig is never shown.
	{"existing cluster without kubeconfig", cfg("cluster", "existing"), "config egress-mesh:kubeconfig is required when cluster is \"existing\"; set it with `pulumi config set --secret kubeconfig < FILE`"},
	{"kubeconfig not YAML", cfg("cluster", "existing", "kubeconfig!", "{{ token: s3cr3t-zq9"), "config egress-mesh:kubeconfig = \"<secret>\" must be a kubeconfig file (not YAML of a kubeconfig); set it with `pulumi config set --secret kubeconfig < ~/.kube/config`"},
	{"kubeconfig of another kind", cfg("cluster", "existing", "kubeconfig!", "apiVersion: v1\nkind: Pod\n"), "config egress-mesh:kubeconfig = \"<secret>\" must be a kubeconfig file (kind is not Config); set it with `pulumi config set --secret kubeconfig < ~/.kube/config`"},
	{"kubeconfig without contexts", cfg("cluster", "existing", "kubeconfig!", "apiVersion: v1\nkind: Config\nclusters: [{name: a}]\n"), "config egress-mesh:kubeconfig = \"<secret>\" must be a kubeconfig file (no contexts); set it with `pulumi config set --secret kubeconfig < ~/.kube/config`"},
	{"kube context not in kubeconfig", cfg("cluster", "existing", "kubeconfig!", kubeconfigOK, "kubeContext", "prod"), "config egress-mesh:kubeContext = \"prod\" is not a context in the kubeconfig (it has 1); allowed: a context the kubeconfig defines (`kubectl config get-contexts`)"},
	{"kubeconfig without current context", cfg("cluster", "existing", "kubeconfig!", strings.Replace(kubeconfigOK, "current-context: kind-mock", "", 1)), "config egress-mesh:kubeconfig = \"<secret>\" has no current-context: set kubeContext to one of its contexts (`kubectl config get-contexts`)"},
	{"kube context without its cluster", cfg("cluster", "existing", "kubeconfig!", strings.Replace(kubeconfigOK, "context: {cluster: kind-mock", "context: {cluster: gone", 1)), "config egress-mesh:kubeconfig = \"<secret>\" names a context whose cluster is not in the kubeconfig (1 clusters); allowed: a context the kubeconfig defines (`kubectl config get-contexts`)"},
}

func meshPort(p string) string {
	return `config egress-mesh:gatewayPort = "` + p + `" is a port the mesh reserves (15000, 15001, 15006, 15008, 15020, 15021, 15090); choose another port from 1 to 65535`
}

func unknown(key, near string) string {
	return fmt.Sprintf(`config egress-mesh:%s is not a key of this program (did you mean %s?); the keys are listed in Pulumi.yaml and the README`, key, near)
}

// secretTexts are the values the bad inputs set as secrets: none may appear in a message.
var secretTexts = []string{"hunter2", "proxy-zq9", "s3cr3t-zq9", "team-a", "ollama.example", "9090", "kind-mock"}

// Every bad input gives exactly one error naming the key, the bad value and what is allowed, and fails the
// real program (run against the recording engine) before it registers anything but the stack itself.
func TestBadInputsFailBeforeAnyResource(t *testing.T) {
	require.GreaterOrEqual(t, len(badInputs), 90)
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stacks.Parse(tc.in)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.Equal(t, tc.want, err.Error())

			res, err := render.Run("bad", tc.in, false)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			for _, r := range res.Rec.All() {
				assert.Equal(t, "pulumi:pulumi:Stack", r.Type, "%s %s registered before the config error", r.Type, r.Name)
			}
			for key, secret := range tc.in.Secrets {
				if !secret {
					continue
				}
				for _, text := range secretTexts {
					if strings.Contains(tc.in.Values[key], text) {
						assert.NotContains(t, err.Error(), text, "the secret value of %s leaked into the error", key)
					}
				}
			}
		})
	}
}

// The valid edge cases beside the bad ones: each passes.
func TestValidEdgeCasesPass(t *testing.T) {
	cases := []struct {
		name string
		in   stacks.Raw
	}{
		{"defaults", cfg()},
		{"gateway port next to the mesh's", cfg("gatewayPort", "15007")},
		{"gateway port 1", cfg("gatewayPort", "1")},
		{"gateway port 65535", cfg("gatewayPort", "65535")},
		{"retries 1 and 10", cfg("retryAttempts", "10")},
		{"adjacent subnets", cfg("podSubnet", "10.96.0.0/16", "serviceSubnet", "10.97.0.0/16")},
		{"kyverno false", cfg("path", "squid", "kyverno", "false")},
		{"kyverno true", cfg("path", "squid", "kyverno", "true")},
		{"squid keys at their defaults on ollama", cfg("squidMode", "cluster", "kyverno", "false", "destinations", `["httpbingo.org:80"]`)},
		{"ollama keys at their defaults on squid", cfg("path", "squid", "gatewayPort", "8080", "gatewayNamespace", "egress", "retryAttempts", "3")},
		{"squid client in proxy with squid in docker", cfg("path", "squid", "squidMode", "docker", "clientNamespace", "proxy")},
		{"squid client in kyverno without kyverno", cfg("path", "squid", "clientNamespace", "kyverno")},
		{"squid client in kgateway-system", cfg("path", "squid", "clientNamespace", "kgateway-system")},
		{"ollama client in ext-authz", cfg("clientNamespace", "ext-authz")},
		{"existing cluster client in local-path-storage", cfg("cluster", "existing", "kubeconfig!", kubeconfigOK, "clientNamespace", "local-path-storage")},
		{"existing cluster with its context", cfg("cluster", "existing", "kubeconfig!", kubeconfigOK, "kubeContext", "kind-mock")},
		{"secret proxy address", cfg("path", "squid", "squidMode", "existing", "squidAddress!", "proxy-zq9.example:3128")},
		{"secret proxy user", cfg("path", "squid", "squidUsername!", "egress", "squidPassword!", "hunter2")},
		{"capitalised user for someone else's proxy", cfg("path", "squid", "squidMode", "existing", "squidAddress", "proxy:3128", "squidUsername", "Egress", "squidPassword!", "hunter2")},
		{"proxy address as an IP", cfg("path", "squid", "squidMode", "existing", "squidAddress", "10.0.0.1:3128")},
		{"destinations with ports", cfg("path", "squid", "destinations", `["a.example.com:8080", "b.example.com"]`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stacks.Parse(tc.in)
			require.NoError(t, err)
		})
	}
}
