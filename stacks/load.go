package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Raw is the stack's config as Pulumi hands it to a program: short key -> string value (arrays as JSON),
// plus which keys were set as secrets. An empty value means unset: Pulumi.yaml gives every optional key the
// default "" (a typed key without a default is required by the Pulumi CLI).
type Raw struct {
	Values  map[string]string
	Secrets map[string]bool
}

// RawFromContext reads every known key from the running program's config.
func RawFromContext(ctx *pulumi.Context) Raw {
	raw := Raw{Values: map[string]string{}, Secrets: map[string]bool{}}
	for _, k := range Keys {
		full := Namespace + ":" + k.Name
		if v, ok := ctx.GetConfig(full); ok {
			raw.Values[k.Name] = v
			raw.Secrets[k.Name] = ctx.IsConfigSecret(full)
		}
	}
	return raw
}

// LoadConfig reads and validates the running stack's config.
func LoadConfig(ctx *pulumi.Context) (*Config, error) { return Parse(RawFromContext(ctx)) }

// Parse turns raw config into a Config: defaults applied, every value checked. All problems are reported
// at once, each naming the key, the bad value and what is allowed.
func Parse(raw Raw) (*Config, error) {
	p := &parser{raw: raw}
	cfg := &Config{
		Path: p.oneOf("path", PathOllama, PathSquid),
		Cluster: ClusterConfig{
			Mode:           p.oneOf("cluster", "kind", "existing"),
			Name:           p.dnsLabel("clusterName", 40),
			Kubeconfig:     p.secret("kubeconfig"),
			Context:        p.str("kubeContext"),
			PodSubnet:      p.cidr("podSubnet"),
			ServiceSubnet:  p.cidr("serviceSubnet"),
			DockerNetwork:  p.dockerName("dockerNetwork"),
			Charts:         p.chartMirror("chartMirror"),
			GatewayAPICRDs: p.crdSource("gatewayAPICRDs"),
		},
		Ollama: OllamaConfig{
			Mode:               p.oneOf("ollamaMode", OllamaDocker, OllamaExisting),
			Address:            p.ollamaAddress("ollamaAddress"),
			GatewayNamespace:   p.dnsLabel("gatewayNamespace", 63),
			GatewayPort:        p.port("gatewayPort"),
			Hostname:           p.hostname("ollamaHostname"),
			Port:               p.port("ollamaPort"),
			Model:              p.model("ollamaModel"),
			RetryAttempts:      p.intIn("retryAttempts", 1, 10),
			RetryPerTryTimeout: p.duration("retryPerTryTimeout"),
			RequestTimeout:     p.duration("requestTimeout"),
		},
		Squid: SquidConfig{
			Mode:         p.oneOf("squidMode", SquidDocker, SquidCluster, SquidExisting),
			Address:      p.hostPort("squidAddress"),
			Username:     p.str("squidUsername"),
			Password:     p.secret("squidPassword"),
			Destinations: p.destinations("destinations"),
			Kyverno:      p.boolean("kyverno"),
		},
	}
	clientDefault := "egress-client"
	if cfg.Path == PathSquid {
		clientDefault = "ns1"
	}
	cfg.Client.Namespace = p.dnsLabelOr("clientNamespace", 63, clientDefault)
	p.crossChecks(cfg)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return cfg, nil
}

// crossChecks are the rules that involve more than one key.
func (p *parser) crossChecks(cfg *Config) {
	set := func(k string) bool { return p.raw.Values[k] != "" }
	switch cfg.Cluster.Mode {
	case "existing":
		if !cfg.Cluster.Kubeconfig.IsSet() && p.ok("kubeconfig") {
			p.fail("kubeconfig", "", "is required when cluster is \"existing\"; set it with `pulumi config set --secret kubeconfig < FILE`")
		}
	case "kind":
		for _, k := range []string{"kubeconfig", "kubeContext"} {
			if set(k) {
				p.fail(k, "<set>", "only applies when cluster is \"existing\"; remove it or set cluster to existing")
			}
		}
	}
	if cfg.Path == PathOllama && p.ok("retryPerTryTimeout") && p.ok("requestTimeout") &&
		cfg.Ollama.RetryPerTryTimeout != "" && cfg.Ollama.RequestTimeout != "" &&
		durationOf(cfg.Ollama.RetryPerTryTimeout) >= durationOf(cfg.Ollama.RequestTimeout) {
		p.fail("retryPerTryTimeout", cfg.Ollama.RetryPerTryTimeout,
			fmt.Sprintf("must be shorter than requestTimeout (%s)", cfg.Ollama.RequestTimeout))
	}
	if cfg.Path == PathOllama && cfg.Client.Namespace == cfg.Ollama.GatewayNamespace && p.ok("clientNamespace") {
		p.fail("clientNamespace", cfg.Client.Namespace,
			"must differ from gatewayNamespace: the L4 policy admits the client's identity, not its namespace's")
	}
	p.checkChartMirror("chartMirror", cfg)
	if cfg.Path == PathOllama {
		p.ollamaChecks(cfg)
	}
	if cfg.Path != PathSquid {
		return
	}
	if cfg.Squid.Mode == SquidExisting && cfg.Squid.Address == "" && p.ok("squidAddress") {
		p.fail("squidAddress", "", "is required when squidMode is \"existing\"; give host:port, e.g. proxy.corp.example:3128")
	}
	if cfg.Squid.Mode != SquidExisting && set("squidAddress") {
		p.fail("squidAddress", p.raw.Values["squidAddress"], "only applies when squidMode is \"existing\"")
	}
	if cfg.Squid.Username != "" && !cfg.Squid.Password.IsSet() && p.ok("squidPassword") {
		p.fail("squidPassword", "", "is required when squidUsername is set; set it with `pulumi config set --secret squidPassword`")
	}
	if cfg.Squid.Password.IsSet() && cfg.Squid.Username == "" {
		p.fail("squidUsername", "", "is required when squidPassword is set")
	}
}

// parser reads one key at a time, applying the default and recording what is wrong.
type parser struct {
	raw  Raw
	errs []error
	bad  map[string]bool
}

func (p *parser) fail(key, value, why string) {
	if p.bad == nil {
		p.bad = map[string]bool{}
	}
	p.bad[key] = true
	p.errs = append(p.errs, &ConfigError{Key: key, Value: value, Reason: why})
}

// ok reports that no error was recorded for key (so a cross-check does not pile onto it).
func (p *parser) ok(key string) bool { return !p.bad[key] }

// str returns the value or the key's default.
func (p *parser) str(key string) string {
	if v, ok := p.raw.Values[key]; ok {
		return strings.TrimSpace(v)
	}
	k, known := KeyNamed(key)
	if !known {
		panic("stacks: unknown config key " + key)
	}
	return k.Default
}

func (p *parser) oneOf(key string, allowed ...string) string {
	v := p.str(key)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(key, v, "must be one of: "+strings.Join(allowed, ", "))
	return v
}

func (p *parser) secret(key string) Secret {
	v := p.raw.Values[key]
	if v != "" && !p.raw.Secrets[key] {
		p.fail(key, "<plain text>", "must be set as a secret: `pulumi config set --secret "+key+"`")
		return Secret{}
	}
	return NewSecret(v)
}

func (p *parser) boolean(key string) bool {
	v := p.str(key)
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(key, v, "must be true or false")
	}
	return b
}

func (p *parser) intIn(key string, lo, hi int) int {
	v := p.str(key)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(key, v, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
	return n
}

func (p *parser) port(key string) int { return p.intIn(key, 1, 65535) }

func (p *parser) dnsLabel(key string, max int) string { return p.dnsLabelOr(key, max, p.str(key)) }

func (p *parser) dnsLabelOr(key string, max int, def string) string {
	v := p.raw.Values[key]
	if v == "" {
		v = def
	}
	if !isDNSLabel(v) || len(v) > max {
		p.fail(key, v, fmt.Sprintf("must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most %d characters", max))
	}
	return v
}

func (p *parser) hostname(key string) string {
	v := p.str(key)
	if !isHostname(v) {
		p.fail(key, v, "must be a DNS name such as api.example.com (lowercase, no scheme, no port)")
	}
	return v
}

func (p *parser) cidr(key string) string {
	v := p.str(key)
	if !isIPv4CIDR(v) {
		p.fail(key, v, "must be an IPv4 CIDR such as 10.244.0.0/16")
	}
	return v
}

func (p *parser) dockerName(key string) string {
	v := p.str(key)
	if !isDockerName(v) {
		p.fail(key, v, "must be a Docker network name: letters, digits, '_', '.', '-', starting with a letter or digit")
	}
	return v
}

func (p *parser) model(key string) string {
	v := p.str(key)
	if v != "" && !isModelName(v) {
		p.fail(key, v, "must be an Ollama model name such as llama3.2:1b (name[:tag], lowercase)")
	}
	return v
}

func (p *parser) duration(key string) string {
	v := p.str(key)
	if !isGatewayDuration(v) || durationOf(v) <= 0 {
		p.fail(key, v, "must be a positive Gateway API duration such as 10s, 500ms or 1m30s")
	}
	return v
}

func (p *parser) hostPort(key string) string {
	v := p.str(key)
	if v == "" {
		return ""
	}
	if _, _, err := splitHostPort(v, false); err != nil {
		p.fail(key, v, "must be host:port, e.g. proxy.corp.example:3128 ("+err.Error()+")")
	}
	return v
}

func (p *parser) destinations(key string) []Destination {
	v := p.str(key)
	var items []string
	if err := json.Unmarshal([]byte(v), &items); err != nil {
		p.fail(key, v, "must be a list of host or host:port strings, e.g. [\"httpbingo.org:80\"]")
		return nil
	}
	if len(items) == 0 {
		p.fail(key, v, "must name at least one destination")
	}
	var out []Destination
	seen := map[string]bool{}
	for i, item := range items {
		host, port, err := splitHostPort(item, true)
		if err != nil {
			p.fail(fmt.Sprintf("%s[%d]", key, i), item, "must be host or host:port with a DNS host name ("+err.Error()+")")
			continue
		}
		if seen[host] {
			p.fail(fmt.Sprintf("%s[%d]", key, i), item, "names a host already listed; list each host once")
			continue
		}
		seen[host] = true
		out = append(out, Destination{Host: host, Port: port})
	}
	return out
}

// ConfigError is one bad config value.
type ConfigError struct {
	Key, Value, Reason string
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("config %s:%s %s", Namespace, e.Key, e.Reason)
	}
	return fmt.Sprintf("config %s:%s = %q %s", Namespace, e.Key, e.Value, e.Reason)
}
