// Package versions pins every chart, image, CRD bundle and CLI the program uses.
// It is the only place a version appears: components and tests read these values,
// so a bump is one reviewed line and the conformance tests check the new pin.
package versions

// Kubernetes and kind.
const (
	// KindCLI is the kind release the node image below was built for; the README's prerequisite.
	KindCLI = "v0.30.0"
	// KindNodeImage is pinned by digest, as kind's release notes ask for.
	KindNodeImage = "kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a"
	// Kubernetes is the control-plane version the conformance tests run (kube-apiserver from the Go module proxy;
	// tools/kube-apiserver/go.mod requires it, and a test keeps the two equal).
	Kubernetes = "v1.34.3"
	// Etcd is the etcd the conformance tests run (tools/etcd/go.mod).
	Etcd = "v3.6.5"
	// Kwok simulates the simulated cluster's node and makes its pods Running and Ready (tools/kwok/go.mod);
	// kube-controller-manager and kube-scheduler come from the Kubernetes tools module above.
	Kwok = "v0.7.0"
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

// Istio ambient (no "v" prefix on Istio versions).
const (
	Istio     = "1.28.0"
	istioRepo = "https://istio-release.storage.googleapis.com/charts"
)

var (
	IstioBase    = Chart{Repo: istioRepo, Name: "base", Version: Istio}
	IstioD       = Chart{Repo: istioRepo, Name: "istiod", Version: Istio}
	IstioCNI     = Chart{Repo: istioRepo, Name: "cni", Version: Istio}
	IstioZtunnel = Chart{Repo: istioRepo, Name: "ztunnel", Version: Istio}
)

// kgateway (Ollama path). Versions carry a "v".
const KGateway = "v2.1.2"

var (
	KGatewayCRDs       = Chart{Name: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway-crds", Version: KGateway}
	KGatewayController = Chart{Name: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway", Version: KGateway}
)

// Kyverno 1.15.3 is chart 3.5.3; the Envoy authz server chart must be exactly v0.1.0
// (the only release whose AuthorizationPolicy CRD has `authorizations`, see notes/resources.md).
const (
	Kyverno            = "1.15.3"
	KyvernoAuthzServer = "v0.1.0"
	KyvernoAuthzImage  = "ghcr.io/kyverno/kyverno-envoy-plugin:" + KyvernoAuthzServer
	kyvernoRepo        = "https://kyverno.github.io/kyverno/"
	kyvernoEnvoyRepo   = "https://kyverno.github.io/kyverno-envoy-plugin"
)

var (
	KyvernoChart            = Chart{Repo: kyvernoRepo, Name: "kyverno", Version: "3.5.3"}
	KyvernoAuthzServerChart = Chart{Repo: kyvernoEnvoyRepo, Name: "kyverno-authz-server", Version: KyvernoAuthzServer}
)

// agentgateway (Squid path), open-source build.
const AgentGateway = "v1.4.1"

var (
	AgentGatewayCRDs       = Chart{Name: "oci://cr.agentgateway.dev/charts/agentgateway-crds", Version: AgentGateway}
	AgentGatewayController = Chart{Name: "oci://cr.agentgateway.dev/charts/agentgateway", Version: AgentGateway}
)

// Container images run by the program itself (charts pin their own).
const (
	OllamaImage   = "ollama/ollama:0.13.5"
	CurlImage     = "curlimages/curl:8.16.0"
	SquidImage    = "ubuntu/squid:6.6-24.04_beta"
	ExtAuthzImage = "gcr.io/istio-testing/ext-authz:1.25-dev"
)
