package kube

import (
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/versions"
)

// ChartArgs turns a version pin into helm/v4 chart arguments, from the target's chart source: an OCI reference
// names the chart in full, an HTTP index goes in RepositoryOpts, a mirror directory is a local path. The release
// name is fixed because charts derive resource names and labels from it. namespace may be a Namespace's output,
// so the chart also waits for the namespace to exist.
func (t Target) ChartArgs(pin versions.Chart, release string, namespace pulumi.StringInput, values pulumi.Map) *helmv4.ChartArgs {
	chart, version, repo := t.Charts.Locate(pin)
	args := &helmv4.ChartArgs{
		Chart:     pulumi.String(chart),
		Name:      pulumi.String(release),
		Namespace: namespace,
		Values:    values,
	}
	if version != "" {
		args.Version = pulumi.String(version)
	}
	if repo != "" {
		args.RepositoryOpts = &helmv4.RepositoryOptsArgs{Repo: pulumi.String(repo)}
	}
	return args
}

// ReleaseArgs is ChartArgs for a helm/v3 Release (charts with Helm hooks), as the Release's properties.
func (t Target) ReleaseArgs(pin versions.Chart, release, namespace string, values pulumi.Map) pulumi.Map {
	chart, version, repo := t.Charts.Locate(pin)
	args := pulumi.Map{
		"chart":     pulumi.String(chart),
		"name":      pulumi.String(release),
		"namespace": pulumi.String(namespace),
		"values":    values,
	}
	if version != "" {
		args["version"] = pulumi.String(version)
	}
	if repo != "" {
		args["repositoryOpts"] = pulumi.Map{"repo": pulumi.String(repo)}
	}
	return args
}
