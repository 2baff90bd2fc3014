package stacks

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// readValues reads every key into cfg (path, cluster and squidMode are already read).
func (p *parser) readValues(cfg *Config) {
	c := &cfg.Cluster
	c.Name = p.dnsLabel("clusterName", 40)
	c.Kubeconfig = p.secret("kubeconfig")
	c.Context = p.str("kubeContext")
	c.PodSubnet = p.cidr("podSubnet")
	c.ServiceSubnet = p.cidr("serviceSubnet")
	c.DockerNetwork = p.dockerName("dockerNetwork")
	c.Charts = p.chartMirror("chartMirror")
	c.GatewayAPICRDs = p.crdSource("gatewayAPICRDs")
	cfg.Ollama = OllamaConfig{
		Mode:               cfg.Ollama.Mode,
		Address:            p.ollamaAddress("ollamaAddress"),
		GatewayNamespace:   p.dnsLabel("gatewayNamespace", 63),
		GatewayPort:        p.gatewayPort("gatewayPort"),
		Hostname:           p.hostname("ollamaHostname"),
		Port:               p.port("ollamaPort"),
		Model:              p.model("ollamaModel"),
		RetryAttempts:      p.intIn("retryAttempts", 1, 10),
		RetryPerTryTimeout: p.duration("retryPerTryTimeout"),
		RequestTimeout:     p.duration("requestTimeout"),
	}
	s := &cfg.Squid
	s.Address = p.proxyAddress("squidAddress")
	s.AddressSecret = p.raw.Secrets["squidAddress"] && !p.inactive["squidAddress"]
	s.Username = p.str("squidUsername")
	s.UsernameSecret = p.raw.Secrets["squidUsername"] && !p.inactive["squidUsername"]
	s.Password = p.secret("squidPassword")
	s.Destinations = p.destinations("destinations")
	s.Kyverno = p.boolean("kyverno")
	clientDefault := "egress-client"
	if cfg.Path == PathSquid {
		clientDefault = "ns1"
	}
	cfg.Client.Namespace = p.dnsLabelOr("clientNamespace", 63, clientDefault)
}

// choices are the values of the keys that select a path or mode; other keys' Only conditions refer to them.
var choices = map[string][]string{
	"path":       {PathOllama, PathSquid},
	"cluster":    {"kind", "existing"},
	"squidMode":  {SquidDocker, SquidCluster, SquidExisting},
	"ollamaMode": {OllamaDocker, OllamaExisting},
}

// validChoice reports whether key holds one of its choices.
func (p *parser) validChoice(key string) bool { return slices.Contains(choices[key], p.str(key)) }

func (p *parser) choice(key string) string {
	v := p.str(key)
	if !p.validChoice(key) {
		p.fail(key, v, "must be one of: "+strings.Join(choices[key], ", "))
	}
	return v
}

// secret reads a SecretRequired key (plain text was refused by the secrecy rule).
func (p *parser) secret(key string) Secret {
	if p.bad[key] || p.inactive[key] {
		return Secret{}
	}
	return NewSecret(p.raw.Values[key])
}

// boolean accepts exactly what the Pulumi CLI accepts for a `type: boolean` key: the strings "true" and
// "false" (workspace.ValidateConfigValue: `literalValue == "true" || literalValue == "false"`), not Go's
// strconv.ParseBool set ("1", "t", "TRUE", ...).
func (p *parser) boolean(key string) bool {
	v := p.str(key)
	if v != "true" && v != "false" {
		p.fail(key, v, "must be true or false")
	}
	return v == "true"
}

func (p *parser) intIn(key string, lo, hi int) int {
	v := p.str(key)
	n, err := strconv.Atoi(v)
	if err != nil || !isDigits(v) || n < lo || n > hi {
		p.fail(key, v, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
	return n
}

func (p *parser) port(key string) int { return p.intIn(key, 1, 65535) }

// meshPorts are the ports Istio reserves in every ambient pod and on the gateway's proxy, from Istio's
// "Ports used by Istio" (https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio):
// 15000 Envoy admin, 15001 outbound, 15006 inbound, 15008 HBONE, 15020 merged metrics, 15021 health,
// 15090 Envoy Prometheus telemetry. A listener there collides with the mesh.
var meshPorts = []int{15000, 15001, 15006, 15008, 15020, 15021, 15090}

func (p *parser) gatewayPort(key string) int {
	n := p.port(key)
	for _, m := range meshPorts {
		if n == m && p.ok(key) {
			p.fail(key, p.str(key), fmt.Sprintf("is a port the mesh reserves (%s); choose another port from 1 to 65535",
				joinInts(meshPorts)))
		}
	}
	return n
}

func (p *parser) dnsLabel(key string, max int) string { return p.dnsLabelOr(key, max, p.str(key)) }

func (p *parser) dnsLabelOr(key string, max int, def string) string {
	v := p.raw.Values[key]
	if v == "" || p.inactive[key] {
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
	prefix, err := netip.ParsePrefix(v)
	switch {
	case err != nil || !prefix.Addr().Is4():
		p.fail(key, v, "must be an IPv4 CIDR such as 10.244.0.0/16")
	case prefix.Masked() != prefix:
		p.fail(key, v, fmt.Sprintf("has host bits set: the network is %s; write that", prefix.Masked()))
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

func (p *parser) proxyAddress(key string) string {
	v := p.str(key)
	if v == "" {
		return ""
	}
	if p.opaque(key) {
		// cmd/render cannot decrypt it: a reserved name (RFC 2606 .invalid) stands in, kept secret like the value.
		return "squid-address.invalid:3128"
	}
	if strings.Contains(v, "@") {
		p.fail(key, v, "must be host:port without credentials: put them in squidUsername and squidPassword (--secret)")
		return v
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
		p.fail(key, v, "must be a list of host, host:port or tls://host[:port] strings, e.g. [\"httpbingo.org:80\", \"tls://api.example.com\"]")
		return nil
	}
	if len(items) == 0 {
		p.fail(key, v, "must name at least one destination")
	}
	var out []Destination
	seen := map[string]bool{}
	for i, item := range items {
		d, err := parseDestination(item)
		if err != nil {
			p.fail(fmt.Sprintf("%s[%d]", key, i), item, "must be host, host:port or tls://host[:port] with a DNS host name ("+err.Error()+")")
			continue
		}
		if seen[d.Host] {
			p.fail(fmt.Sprintf("%s[%d]", key, i), item, "names a host already listed; list each host once")
			continue
		}
		seen[d.Host] = true
		out = append(out, d)
	}
	return out
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
