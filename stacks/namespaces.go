package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
	"github.com/egress-mesh/egress-mesh/components/authz"
	"github.com/egress-mesh/egress-mesh/components/extauthz"
	"github.com/egress-mesh/egress-mesh/components/kgateway"
	"github.com/egress-mesh/egress-mesh/components/mesh"
	"github.com/egress-mesh/egress-mesh/components/squid"
)

// NamespaceOwner is a namespace and who owns it in a given config.
type NamespaceOwner struct {
	Namespace string
	Owner     string // in messages: "Istio (istiod, CNI, ztunnel)", "clientNamespace", ...
	Key       string // the config key that names it, "" for a fixed namespace
}

// fixedNamespace is a namespace the stack, a chart it installs, or the cluster itself owns.
type fixedNamespace struct {
	Namespace string
	Owner     string
	When      func(*Config) bool // nil: always
}

func onPath(path string) func(*Config) bool { return func(c *Config) bool { return c.Path == path } }

// fixedNamespaces is the one table of namespaces that are not the user's to choose. The names come from the
// components that create them; tests/namespaces_test.go renders every path and mode and fails if an object or
// chart lands in a namespace missing here.
var fixedNamespaces = []fixedNamespace{
	// Kubernetes' own (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces).
	{Namespace: "default", Owner: "Kubernetes"},
	{Namespace: "kube-system", Owner: "Kubernetes"},
	{Namespace: "kube-public", Owner: "Kubernetes"},
	{Namespace: "kube-node-lease", Owner: "Kubernetes"},
	// kind's default StorageClass provisioner runs here on every kind cluster.
	{Namespace: "local-path-storage", Owner: "kind (local-path provisioner)", When: func(c *Config) bool { return c.Cluster.Mode == "kind" }},

	{Namespace: mesh.IstioNamespace, Owner: "Istio (istiod, CNI, ztunnel)"},

	{Namespace: kgateway.SystemNamespace, Owner: "the kgateway controller chart", When: onPath(PathOllama)},
	{Namespace: authzNamespace, Owner: "the Kyverno authz server chart", When: onPath(PathOllama)},
	{Namespace: authz.KyvernoNamespace, Owner: "the Kyverno chart",
		When: func(c *Config) bool { return c.Path == PathOllama || c.Squid.Kyverno }},

	{Namespace: agentgateway.SystemNamespace, Owner: "the agentgateway controller chart", When: onPath(PathSquid)},
	{Namespace: agentgateway.GatewayNamespace, Owner: "the agentgateway waypoint", When: onPath(PathSquid)},
	{Namespace: extauthz.DefaultNamespace, Owner: "the ext-authz server", When: onPath(PathSquid)},
	{Namespace: squid.DefaultNamespace, Owner: "Squid (squidMode cluster)",
		When: func(c *Config) bool { return c.Path == PathSquid && c.Squid.Mode == SquidCluster }},
}

// Namespaces lists every namespace cfg's graph creates or relies on, with its owner: the fixed ones above and
// the ones config names.
func Namespaces(cfg *Config) []NamespaceOwner {
	var out []NamespaceOwner
	for _, f := range fixedNamespaces {
		if f.When == nil || f.When(cfg) {
			out = append(out, NamespaceOwner{Namespace: f.Namespace, Owner: f.Owner})
		}
	}
	if cfg.Path == PathOllama {
		out = append(out, NamespaceOwner{Namespace: cfg.Ollama.GatewayNamespace, Owner: "the kgateway egress gateway (gatewayNamespace)", Key: "gatewayNamespace"})
	}
	out = append(out, NamespaceOwner{Namespace: cfg.Client.Namespace, Owner: "the test client (clientNamespace)", Key: "clientNamespace"})
	return out
}

// namespaceCollisions is the one rule for namespaces: every namespace has one owner. A configured namespace
// that another part already owns is refused, naming both owners and what is taken.
func (p *parser) namespaceCollisions(cfg *Config) {
	owners := Namespaces(cfg)
	for i, mine := range owners {
		if mine.Key == "" || !p.ok(mine.Key) {
			continue
		}
		for j, other := range owners {
			if j == i || other.Namespace != mine.Namespace || (other.Key != "" && j > i) {
				continue
			}
			p.fail(mine.Key, mine.Namespace, fmt.Sprintf("is already the namespace of %s; %s needs a namespace of its own "+
				"(taken in this config: %s)", other.Owner, strings.TrimSuffix(mine.Owner, " ("+mine.Key+")"), takenNamespaces(owners, mine.Key)))
			break
		}
	}
}

// takenNamespaces lists the namespaces of everything but key, sorted.
func takenNamespaces(owners []NamespaceOwner, key string) string {
	seen := map[string]bool{}
	var names []string
	for _, o := range owners {
		if o.Key != key && !seen[o.Namespace] {
			seen[o.Namespace] = true
			names = append(names, o.Namespace)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
