package stacks

import (
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Ollama modes (config key `ollamaMode`).
const (
	OllamaDocker   = "docker"
	OllamaExisting = "existing"
)

// chartsFor is every chart a stack installs, so a mirror can be checked for exactly those.
func chartsFor(cfg *Config) []versions.Chart {
	charts := []versions.Chart{versions.IstioBase, versions.IstioD, versions.IstioCNI, versions.IstioZtunnel}
	switch cfg.Path {
	case PathOllama:
		charts = append(charts, versions.KGatewayCRDs, versions.KGatewayController, versions.KyvernoChart)
	case PathSquid:
		charts = append(charts, versions.AgentGatewayCRDs, versions.AgentGatewayController)
		if cfg.Squid.Kyverno {
			charts = append(charts, versions.KyvernoChart)
		}
	}
	return charts
}

// chartMirror reads `chartMirror`: "" (upstream), an oci:// or https:// prefix, or a directory (made absolute,
// so the provider finds it whatever its working directory).
func (p *parser) chartMirror(key string) kube.ChartSource {
	v := p.str(key)
	if v == "" || strings.HasPrefix(v, "oci://") || strings.HasPrefix(v, "https://") {
		return kube.ChartSource(v)
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		p.fail(key, v, "must be a directory, an oci:// prefix or an https:// Helm repository")
		return ""
	}
	return kube.ChartSource(abs)
}

// checkChartMirror is a cross-check: a directory mirror must hold every chart this stack installs.
func (p *parser) checkChartMirror(key string, cfg *Config) {
	if !p.ok(key) {
		return
	}
	if err := cfg.Cluster.Charts.Validate(chartsFor(cfg)...); err != nil {
		p.fail(key, p.raw.Values[key], "must hold every chart this stack installs: "+err.Error())
	}
}

// crdSource reads `gatewayAPICRDs`: "" (the release asset), an https:// URL, or a file or directory that exists.
func (p *parser) crdSource(key string) string {
	v := p.str(key)
	if v == "" || strings.HasPrefix(v, "https://") {
		return v
	}
	abs, err := filepath.Abs(v)
	if err == nil {
		if _, err = os.Stat(abs); err == nil {
			return abs
		}
	}
	p.fail(key, v, "must be an https:// URL or an existing file or directory holding the Gateway API "+
		versions.GatewayAPI+" experimental CRDs")
	return ""
}

// ollamaAddress reads `ollamaAddress`: the host name or IP of an Ollama that already runs (no port: the port is
// ollamaPort).
func (p *parser) ollamaAddress(key string) string {
	v := p.str(key)
	if v == "" || net.ParseIP(v) != nil || isHostname(v) {
		return v
	}
	p.fail(key, v, "must be a host name or an IP address, without scheme or port (the port is ollamaPort)")
	return ""
}
