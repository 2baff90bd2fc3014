package mesh

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// IstioNamespace is where the control plane and node agents run; the charts' defaults assume it.
const IstioNamespace = "istio-system"

// IstioArgs configures Istio ambient.
type IstioArgs struct {
	Target kube.Target
	// DependsOn holds the Gateway API CRDs: istiod watches Gateway API kinds from its first start.
	DependsOn []pulumi.Resource
}

// Istio is the component holding Istio ambient.
type Istio struct {
	pulumi.ResourceState

	Namespace *corev1.Namespace
	// Base carries Istio's CRDs (ServiceEntry, AuthorizationPolicy...): anything declaring Istio kinds
	// depends on it.
	Base, Istiod, CNI, Ztunnel pulumi.Resource
}

// istioChart is one step of the install, in order.
type istioChart struct {
	suffix  string // Pulumi name suffix
	release string // Helm release name, as Istio's own install docs use
	chart   versions.Chart
	values  pulumi.Map
}

// NewIstio installs base -> istiod -> cni -> ztunnel into istio-system, strictly in that order: istiod
// needs the CRDs, the CNI agent and ztunnel need istiod (ztunnel fetches its certificates and config
// from it), and ztunnel starts redirecting only once the CNI agent is there to hand it pod traffic.
func NewIstio(ctx *pulumi.Context, name string, args *IstioArgs, opts ...pulumi.ResourceOption) (*Istio, error) {
	comp := &Istio{}
	if err := ctx.RegisterComponentResource("egress-mesh:mesh:Istio", name, comp, opts...); err != nil {
		return nil, err
	}

	ns, err := kube.Namespace(ctx, args.Target, comp, IstioNamespace, nil)
	if err != nil {
		return nil, err
	}
	comp.Namespace = ns

	steps := []istioChart{
		{"base", "istio-base", versions.IstioBase, baseValues()},
		{"istiod", "istiod", versions.IstioD, istiodValues()},
		{"cni", "istio-cni", versions.IstioCNI, cniValues()},
		{"ztunnel", "ztunnel", versions.IstioZtunnel, ztunnelValues()},
	}
	charts := make([]pulumi.Resource, len(steps))
	// Each chart waits for the one before it; the first waits for what the caller named.
	previous := append([]pulumi.Resource(nil), args.DependsOn...)
	for i, step := range steps {
		chart, err := newIstioChart(ctx, name+"-"+step.suffix, step, ns, args.Target, comp, previous)
		if err != nil {
			return nil, err
		}
		charts[i] = chart
		previous = []pulumi.Resource{chart}
	}
	comp.Base, comp.Istiod, comp.CNI, comp.Ztunnel = charts[0], charts[1], charts[2], charts[3]

	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"namespace": ns.Metadata.Name(),
		"version":   pulumi.String(versions.Istio),
	})
}

// newIstioChart declares one chart. helm/v4 Chart renders templates and applies them as plain resources; it
// skips Helm hooks, which is fine because no Istio chart has any.
func newIstioChart(ctx *pulumi.Context, name string, step istioChart, ns *corev1.Namespace, t kube.Target,
	parent pulumi.Resource, dependsOn []pulumi.Resource) (*helmv4.Chart, error) {
	// The release name is fixed (templates use it in labels), and the namespace comes from the Namespace's
	// output, so every chart also waits for the namespace to exist.
	return helmv4.NewChart(ctx, name, t.ChartArgs(step.chart, step.release, ns.Metadata.Name().Elem(), step.values),
		t.Opts(parent, pulumi.DependsOn(dependsOn))...)
}
