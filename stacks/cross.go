package stacks

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
)

// crossChecks are the rules that involve more than one key.
func (p *parser) crossChecks(cfg *Config) {
	if cfg.Cluster.Mode == "existing" && p.ok("kubeconfig") {
		switch {
		case !cfg.Cluster.Kubeconfig.IsSet():
			p.fail("kubeconfig", "", "is required when cluster is \"existing\"; set it with `pulumi config set --secret kubeconfig < FILE`")
		case !p.opaque("kubeconfig"):
			p.kubeconfigHasContext(cfg)
		}
	}
	p.subnetsDisjoint(cfg)
	if cfg.Path == PathOllama && p.ok("retryPerTryTimeout") && p.ok("requestTimeout") &&
		durationOf(cfg.Ollama.RetryPerTryTimeout) >= durationOf(cfg.Ollama.RequestTimeout) {
		p.fail("retryPerTryTimeout", cfg.Ollama.RetryPerTryTimeout,
			fmt.Sprintf("must be shorter than requestTimeout (%s)", cfg.Ollama.RequestTimeout))
	}
	if p.ok("path") && p.ok("cluster") && p.ok("squidMode") && p.ok("kyverno") && p.ok("gatewayNamespace") {
		p.namespaceCollisions(cfg)
	}
	p.checkChartMirror("chartMirror", cfg)
	if cfg.Path == PathOllama && cfg.Ollama.Mode == OllamaExisting && cfg.Ollama.Address == "" && p.ok("ollamaAddress") {
		p.fail("ollamaAddress", "", `is required when ollamaMode is "existing"; give the host or IP Ollama listens on`)
	}
	if cfg.Path != PathSquid {
		return
	}
	if cfg.Squid.Mode == SquidExisting && cfg.Squid.Address == "" && p.ok("squidAddress") {
		p.fail("squidAddress", "", "is required when squidMode is \"existing\"; give host:port, e.g. proxy.corp.example:3128")
	}
	if cfg.Squid.Username != "" && !cfg.Squid.Password.IsSet() && p.ok("squidPassword") {
		p.fail("squidPassword", "", "is required when squidUsername is set; set it with `pulumi config set --secret squidPassword`")
	}
	if cfg.Squid.Password.IsSet() && cfg.Squid.Username == "" {
		p.fail("squidUsername", "", "is required when squidPassword is set")
	}
	p.checkSquidUsername(cfg)
}

// checkSquidUsername refuses a user name Basic authentication or the program's own Squid cannot carry.
func (p *parser) checkSquidUsername(cfg *Config) {
	user := cfg.Squid.Username
	switch {
	case user == "" || !p.ok("squidUsername"):
	case strings.ContainsAny(user, ":") || strings.IndexFunc(user, unicode.IsControl) >= 0:
		// RFC 7617 section 2: "a user-id containing a colon character is invalid".
		p.fail("squidUsername", user, "must not contain ':' or control characters (Basic authentication joins user and password with ':')")
	case cfg.Squid.Mode != SquidExisting && strings.ToLower(user) != user:
		// Squid's auth_param basic casesensitive defaults to off: it lower-cases the user name before asking
		// basic_ncsa_auth, which then never finds a capitalised htpasswd entry (every request gets 407).
		p.fail("squidUsername", user, "must be lower case: the program's Squid lower-cases user names before checking them (auth_param basic casesensitive off)")
	}
}

// kubeconfigHasContext checks the kubeconfig parses and holds the context to use; messages never show it.
func (p *parser) kubeconfigHasContext(cfg *Config) {
	kc, err := parseKubeconfig(p.raw.Values["kubeconfig"])
	if err != nil {
		p.fail("kubeconfig", SecretPlaceholder, "must be a kubeconfig file ("+err.Error()+"); set it with `pulumi config set --secret kubeconfig < ~/.kube/config`")
		return
	}
	name, key := cfg.Cluster.Context, "kubeContext"
	if name == "" {
		name, key = kc.CurrentContext, "kubeconfig"
		if name == "" {
			p.fail("kubeconfig", SecretPlaceholder, "has no current-context: set kubeContext to one of its contexts (`kubectl config get-contexts`)")
			return
		}
	}
	if why := kc.contextProblem(name); why != "" {
		value := name
		if key == "kubeconfig" {
			value = SecretPlaceholder
		}
		p.fail(key, value, why+"; allowed: a context the kubeconfig defines (`kubectl config get-contexts`)")
	}
}

// subnetsDisjoint refuses pod and service ranges that overlap: kind would route one over the other.
func (p *parser) subnetsDisjoint(cfg *Config) {
	if !p.ok("podSubnet") || !p.ok("serviceSubnet") {
		return
	}
	pods, _ := netip.ParsePrefix(cfg.Cluster.PodSubnet)
	svcs, _ := netip.ParsePrefix(cfg.Cluster.ServiceSubnet)
	if pods.Overlaps(svcs) {
		p.fail("serviceSubnet", cfg.Cluster.ServiceSubnet, fmt.Sprintf("overlaps podSubnet (%s); the two ranges must not share an address", cfg.Cluster.PodSubnet))
	}
}
