// Package stacks turns a stack's config into the graph of components. Both egress paths share the platform
// (cluster, Gateway API CRDs, Istio ambient); the switch between them is here and nowhere else.
package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/client"
	"github.com/egress-mesh/egress-mesh/components/cluster"
	"github.com/egress-mesh/egress-mesh/components/mesh"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Run is the Pulumi program: read and validate config, build the graph, export the outputs.
func Run(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx, SetKeyNames())
	if err != nil {
		return err
	}
	outputs, err := Build(ctx, cfg)
	if err != nil {
		return err
	}
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return nil
}

// platform is what both egress paths stand on.
type platform struct {
	cfg        *Config
	cluster    *cluster.Cluster
	gatewayAPI *mesh.GatewayAPI
	istio      *mesh.Istio
}

// pathResult is what an egress path hands back for the stack outputs.
type pathResult struct {
	GatewayAddress pulumi.StringInput
	Checks         pulumi.StringMap // check name -> the shell command a human runs
	Verify         pulumi.Map       // what cmd/verify needs to run the checks itself
	Extra          pulumi.Map       // other outputs of this path
}

// builders maps each path to the function that builds it: a reader sees both graphs side by side.
var builders = map[string]func(*pulumi.Context, *platform) (*pathResult, error){
	PathOllama: buildOllama,
	PathSquid:  buildSquid,
}

// Build creates every resource for a validated config and returns the stack outputs.
func Build(ctx *pulumi.Context, cfg *Config) (pulumi.Map, error) {
	build, ok := builders[cfg.Path]
	if !ok {
		return nil, fmt.Errorf("no builder for path %q", cfg.Path)
	}
	p, err := newPlatform(ctx, cfg)
	if err != nil {
		return nil, err
	}
	res, err := build(ctx, p)
	if err != nil {
		return nil, err
	}
	outputs := pulumi.Map{
		"path":           pulumi.String(cfg.Path),
		"clusterName":    pulumi.String(cfg.Cluster.Name),
		"kubeconfig":     p.cluster.Kubeconfig, // secret
		"gatewayAddress": res.GatewayAddress,
		"checks":         res.Checks,
		"verify":         res.Verify,
	}
	for name, value := range res.Extra {
		outputs[name] = value
	}
	return outputs, nil
}

func newPlatform(ctx *pulumi.Context, cfg *Config) (*platform, error) {
	c, err := cluster.New(ctx, "cluster", &cluster.Args{
		Name:          cfg.Cluster.Name,
		Mode:          cfg.Cluster.Mode,
		NodeImage:     versions.KindNodeImage,
		PodSubnet:     cfg.Cluster.PodSubnet,
		ServiceSubnet: cfg.Cluster.ServiceSubnet,
		Kubeconfig:    kubeconfigInput(cfg),
		Context:       cfg.Cluster.Context,
	})
	if err != nil {
		return nil, err
	}
	// Every chart of the stack comes from the configured source (upstream unless chartMirror is set).
	c.Target.Charts = cfg.Cluster.Charts
	gatewayAPI, err := mesh.NewGatewayAPI(ctx, "gateway-api", &mesh.GatewayAPIArgs{
		Target: c.Target, Source: cfg.Cluster.GatewayAPICRDs,
	})
	if err != nil {
		return nil, err
	}
	istio, err := mesh.NewIstio(ctx, "istio", &mesh.IstioArgs{
		Target:    c.Target,
		DependsOn: []pulumi.Resource{gatewayAPI.CRDs},
	})
	if err != nil {
		return nil, err
	}
	return &platform{cfg: cfg, cluster: c, gatewayAPI: gatewayAPI, istio: istio}, nil
}

func kubeconfigInput(cfg *Config) pulumi.StringInput {
	if cfg.Cluster.Mode != cluster.ModeExisting {
		return nil
	}
	return cfg.Cluster.Kubeconfig.Output()
}

// kindDependency is what a Docker container on the kind network waits for: the kind cluster creates it.
func (p *platform) kindDependency() []pulumi.Resource {
	if p.cluster.Kind == nil {
		return nil
	}
	return []pulumi.Resource{p.cluster.Kind}
}

// newClient is the ambient-enrolled curl client both paths test from; its name is also its ServiceAccount, the
// mesh identity the gateway admits. It waits for ztunnel: enrolment needs ambient up. Its namespace's egress is
// locked down to DNS and the mesh on both paths: the gateway is the only way out.
func (p *platform) newClient(ctx *pulumi.Context, name string) (*client.Client, error) {
	return client.New(ctx, "client", &client.Args{
		PodCIDR:        p.cfg.Cluster.PodSubnet,
		Target:         p.cluster.Target,
		Namespace:      p.cfg.Client.Namespace,
		Name:           name,
		ServiceAccount: name,
		Image:          versions.CurlImage,
		DependsOn:      []pulumi.Resource{p.istio.Ztunnel},
	})
}

// kubectl is the kubectl invocation the printed checks use: the kind context kind writes into
// ~/.kube/config, or the configured context of an existing cluster.
func (p *platform) kubectl() string {
	switch {
	case p.cfg.Cluster.Mode == cluster.ModeKind:
		return "kubectl --context kind-" + p.cfg.Cluster.Name
	case p.cfg.Cluster.Context != "":
		return "kubectl --context " + p.cfg.Cluster.Context
	default:
		return "kubectl"
	}
}
