package mesh

import (
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// GatewayAPIArgs configures the Gateway API CRDs.
type GatewayAPIArgs struct {
	Target kube.Target
	// Source is where the CRDs come from: "" for the pinned release asset, or a file, a URL or a directory
	// of CRD files at that version (an air-gapped mirror; CI uses ../shared/crds/gateway-api/<version>).
	Source string
}

// GatewayAPI is the component holding the Gateway API CRDs.
type GatewayAPI struct {
	pulumi.ResourceState

	// CRDs is the ConfigFile: everything that uses Gateway API kinds depends on it.
	CRDs pulumi.Resource
}

// NewGatewayAPI installs the experimental-channel Gateway API CRDs.
//
// They are installed here, once, rather than by each chart that could bundle them: istiod, kgateway and
// agentgateway all watch these kinds, and two owners of one CRD would overwrite each other (and a destroy of
// either would delete every Gateway and route in the cluster). The experimental channel is a superset of the
// standard one, so a controller that also watches experimental kinds (TCPRoute, TLSRoute...) finds them.
func NewGatewayAPI(ctx *pulumi.Context, name string, args *GatewayAPIArgs,
	opts ...pulumi.ResourceOption) (*GatewayAPI, error) {
	comp := &GatewayAPI{}
	if err := ctx.RegisterComponentResource("egress-mesh:mesh:GatewayAPI", name, comp, opts...); err != nil {
		return nil, err
	}

	// yaml/v2 applies server-side (the v4 provider's default): the HTTPRoute CRD is ~0.5 MB, far over the
	// 256 KiB last-applied annotation a client-side apply would need.
	var err error
	if comp.CRDs, err = newCRDs(ctx, name+"-crds", args.Source, args.Target.Opts(comp)...); err != nil {
		return nil, err
	}

	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"version": pulumi.String(versions.GatewayAPI),
	})
}

// newCRDs applies the bundle: one file (the release asset, or a copy of it) with a ConfigFile, a directory of
// CRD files with a ConfigGroup.
func newCRDs(ctx *pulumi.Context, name, source string, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	if source == "" {
		source = versions.GatewayAPIInstallURL
	}
	if st, err := os.Stat(source); err == nil && st.IsDir() {
		return kube.NewConfigGroup(ctx, name, []string{filepath.Join(source, "*.yaml")}, opts...)
	}
	return kube.NewConfigFile(ctx, name, source, opts...)
}
