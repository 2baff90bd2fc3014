package kube

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The provider's helm/v3 Release and yaml/v2 ConfigFile and ConfigGroup, registered by their type tokens rather
// than through the SDK's helm/v3 and yaml/v2 packages. Those two packages import the SDK's yaml package or a
// kinds table that imports every Kubernetes API group's package (69 of the SDK's 71, about 550,000 generated
// lines), only to give the children the provider returns a Go type. The program never reads those children, yet
// compiling them took about 700 CPU-seconds on a cold build cache (go build -debug-trace), and a user's first
// `pulumi up` builds the program. The SDK's own
// constructors (sdk/v4 go/kubernetes/helm/v3/release.go NewRelease, yaml/v2/configFile.go NewConfigFile) do
// exactly this: set the Release's compat flag, add the SDK's provider version, register under the type token.
const (
	typeRelease     = "kubernetes:helm.sh/v3:Release"
	typeConfigFile  = "kubernetes:yaml/v2:ConfigFile"
	typeConfigGroup = "kubernetes:yaml/v2:ConfigGroup"
)

// Release is a kubernetes:helm.sh/v3:Release: Helm's own install, hooks and all.
type Release struct {
	pulumi.CustomResourceState
}

// NewRelease registers a Release from ReleaseArgs' properties.
func NewRelease(ctx *pulumi.Context, name string, props pulumi.Map, opts ...pulumi.ResourceOption) (*Release, error) {
	props["compat"] = pulumi.String("true") // as the SDK's NewRelease sets it on every Release
	var r Release
	if err := ctx.RegisterResource(typeRelease, name, props, &r, utilities.PkgResourceDefaultOpts(opts)...); err != nil {
		return nil, err
	}
	return &r, nil
}

// Manifests is a kubernetes:yaml/v2 ConfigFile or ConfigGroup: a component the provider expands into the objects
// of its manifests, applied server-side.
type Manifests struct {
	pulumi.ResourceState

	// Resources are the objects the provider made, as references (the program depends on the component).
	Resources pulumi.ArrayOutput `pulumi:"resources"`
}

// NewConfigFile applies one manifest file or URL.
func NewConfigFile(ctx *pulumi.Context, name, file string, opts ...pulumi.ResourceOption) (*Manifests, error) {
	return newManifests(ctx, typeConfigFile, name, pulumi.Map{"file": pulumi.String(file)}, opts)
}

// NewConfigGroup applies every manifest file the glob patterns match.
func NewConfigGroup(ctx *pulumi.Context, name string, files []string, opts ...pulumi.ResourceOption) (*Manifests, error) {
	return newManifests(ctx, typeConfigGroup, name, pulumi.Map{"files": pulumi.ToStringArray(files)}, opts)
}

func newManifests(ctx *pulumi.Context, typ, name string, props pulumi.Map, opts []pulumi.ResourceOption) (*Manifests, error) {
	var m Manifests
	if err := ctx.RegisterRemoteComponentResource(typ, name, props, &m, utilities.PkgResourceDefaultOpts(opts)...); err != nil {
		return nil, err
	}
	return &m, nil
}
