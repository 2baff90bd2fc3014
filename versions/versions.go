// Package versions pins every chart, image, CRD bundle and CLI the program uses.
// It is the only place a version appears: components and tests read these values,
// so a bump is one reviewed line and the conformance tests check the new pin.
package versions

// Kubernetes and kind.
const (
	// KindCLI is the kind release the node image below was built for; the README's prerequisite.
	KindCLI = "v0.33.0"
	// KindNodeImage is pinned by digest, as kind's release notes ask for (the v0.33.0 release's 1.35 image).
	// Kubernetes 1.35 is the one release inside every component's documented range (Istio 1.30: 1.32-1.36;
	// kgateway 2.2, Kyverno 1.19: up to 1.35) that upstream still supports: 1.33 reached end of life on
	// 2026-06-28 and 1.34 on 2026-10-27; 1.35 is supported until 2027-02-28.
	KindNodeImage = "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0"
	// Kubernetes is the control-plane version the conformance tests run (kube-apiserver from the Go module proxy;
	// tools/kube-apiserver/go.mod requires it, and a test keeps the two equal).
	Kubernetes = "v1.35.8"
	// Etcd is the etcd the conformance tests run: the etcd server k8s.io/kubernetes requires at the version above,
	// built from the same tools module (tools/kube-apiserver/go.mod).
	Etcd = "v3.6.5"
	// Kwok simulates the simulated cluster's node and makes its pods Running and Ready. It is built from the
	// Kyverno tools module (tools/kyverno/go.mod), whose Kubernetes libraries it shares; kube-controller-manager
	// and kube-scheduler come from the Kubernetes tools module above.
	Kwok = "v0.8.0"
)

// The real Pulumi engine the engine tests run (hack/toolchain-binaries.sh builds them from tools/*/go.mod; tests
// keep these equal to those files).
const (
	// PulumiCLI is the CLI the Automation API drives (tools/pulumi/go.mod).
	PulumiCLI = "v3.274.1"
	// PulumiLanguageGo is the newest Go language host the Go module proxy serves as a package
	// (tools/pulumi-language-go/go.mod); later releases moved it to a module the proxy refuses.
	PulumiLanguageGo = "v3.66.0"
	// PulumiKubernetesProviderBuild is the provider commit CI builds (tools/pulumi-kubernetes/go.mod): the proxy
	// serves no tagged provider. It is registered under the SDK version in go.mod, so CI's provider is this commit,
	// not the release of that number users download.
	PulumiKubernetesProviderBuild = "v4.0.0-20260115033456-f47bc2d6f199"
)

// Gateway API: installed once, centrally, from the experimental channel.
//
// v1.4.0 and not v1.5.1 (Istio 1.30's go.mod): kgateway v2.2 supports Gateway API v1.2-v1.4 only. Istio 1.30 works
// with v1.4 except TLSRoute, which this program does not use. v1.5.1's files are in ../shared/crds/gateway-api for
// the day kgateway allows it.
const (
	GatewayAPI = "v1.4.0"
	// GatewayAPIInstallURL is the release asset; it joins the 12 files in ../shared/crds/gateway-api/v1.4.0.
	GatewayAPIInstallURL = "https://github.com/kubernetes-sigs/gateway-api/releases/download/" + GatewayAPI + "/experimental-install.yaml"
)

// Chart is a Helm chart coordinate: repository (HTTP index or OCI prefix), chart name and version.
type Chart struct {
	Repo    string // https://... index URL, or "" when Name is a full oci:// reference
	Name    string
	Version string
}

// Ref is what Helm's --repo/chart pair or OCI reference looks like, for messages and docs.
func (c Chart) Ref() string {
	if c.Repo == "" {
		return c.Name + "@" + c.Version
	}
	return c.Repo + "/" + c.Name + "@" + c.Version
}

// Istio ambient (no "v" prefix on Istio versions). 1.30 is supported upstream; 1.28 reached end of life on
// 2026-07-01. 1.30.3 is the newest release whose exact files could be checked here (1.30.4, 1.30.5 and 1.31.0 are
// announced upstream): the next step is 1.30.x's latest patch, then 1.31 once its files can be checked. Istio 1.30
// supports Kubernetes 1.32-1.36.
const (
	Istio     = "1.30.3"
	istioRepo = "https://istio-release.storage.googleapis.com/charts"
)

var (
	IstioBase    = Chart{Repo: istioRepo, Name: "base", Version: Istio}
	IstioD       = Chart{Repo: istioRepo, Name: "istiod", Version: Istio}
	IstioCNI     = Chart{Repo: istioRepo, Name: "cni", Version: Istio}
	IstioZtunnel = Chart{Repo: istioRepo, Name: "ztunnel", Version: Istio}
)

// kgateway (Ollama path). Versions carry a "v". v2.2.3 is the newest upstream tag whose files could be checked
// here (upstream has announced 2.2.9, 2.3.x and 2.4.x); it supports Gateway API v1.2-v1.4.
const KGateway = "v2.2.3"

var (
	KGatewayCRDs       = Chart{Name: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway-crds", Version: KGateway}
	KGatewayController = Chart{Name: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway", Version: KGateway}
)

// Kyverno 1.19.0 is chart 3.9.0; its kyverno-api subchart serves the policies.kyverno.io CRDs, ValidatingPolicy
// included, which both the admission policy and the Envoy authz server's policy use. The authz server moved from
// kyverno/kyverno-envoy-plugin to kyverno/kyverno-authz; v0.4.0 reads policies.kyverno.io/v1alpha1 ValidatingPolicies
// in Envoy mode and ships no CRD of its own.
const (
	Kyverno            = "1.19.0"
	KyvernoAuthzServer = "v0.4.0"
	KyvernoAuthzImage  = "ghcr.io/kyverno/kyverno-authz:" + KyvernoAuthzServer
	kyvernoRepo        = "https://kyverno.github.io/kyverno/"
)

// KyvernoChart installs Kyverno. (The authz server is deployed from its image, not its chart: see
// components/authz/kyvernoauthz.go.)
var KyvernoChart = Chart{Repo: kyvernoRepo, Name: "kyverno", Version: "3.9.0"}

// agentgateway (Squid path), open-source build.
const AgentGateway = "v1.4.1"

var (
	AgentGatewayCRDs       = Chart{Name: "oci://cr.agentgateway.dev/charts/agentgateway-crds", Version: AgentGateway}
	AgentGatewayController = Chart{Name: "oci://cr.agentgateway.dev/charts/agentgateway", Version: AgentGateway}
)

// Charts is every chart pin above: `make crds` (hack/fetch-charts.sh, through hack/chartlist) pulls exactly these
// into the cache's chart mirror, and a test keeps the list equal to the charts the stacks install.
var Charts = []Chart{
	IstioBase, IstioD, IstioCNI, IstioZtunnel,
	KGatewayCRDs, KGatewayController,
	KyvernoChart,
	AgentGatewayCRDs, AgentGatewayController,
}

// Container images run by the program itself (charts pin their own).
const (
	OllamaImage   = "ollama/ollama:0.13.5"
	CurlImage     = "curlimages/curl:8.16.0"
	SquidImage    = "ubuntu/squid:6.6-24.04_beta"
	ExtAuthzImage = "gcr.io/istio-testing/ext-authz:1.25-dev"
)
