package kube

import (
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/versions"
)

// ChartArgs turns a version pin into helm/v4 chart arguments: an OCI pin (Repo "") names the chart by its
// full oci:// reference, an HTTP index goes in RepositoryOpts. The release name is fixed because charts
// derive resource names and labels from it. namespace may be a Namespace's output, so the chart also
// waits for the namespace to exist.
func ChartArgs(pin versions.Chart, release string, namespace pulumi.StringInput, values pulumi.Map) *helmv4.ChartArgs {
	args := &helmv4.ChartArgs{
		Chart:     pulumi.String(pin.Name),
		Version:   pulumi.String(pin.Version),
		Name:      pulumi.String(release),
		Namespace: namespace,
		Values:    values,
	}
	if pin.Repo != "" {
		args.RepositoryOpts = &helmv4.RepositoryOptsArgs{Repo: pulumi.String(pin.Repo)}
	}
	return args
}
