// Package kube holds what every in-cluster component shares: where objects go (Target) and how a
// namespaced or custom object is declared with the options every child needs.
package kube

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Target is where in-cluster objects go.
type Target struct {
	// Provider talks to the cluster; it carries the clusterIdentifier.
	Provider *kubernetes.Provider
	// DeletedWith is the resource whose deletion takes every in-cluster object with it (the kind cluster).
	// It is nil for an existing cluster: there, each object must really be deleted on destroy.
	DeletedWith pulumi.Resource
	// Charts is where charts come from (upstream unless a mirror is configured).
	Charts ChartSource
}

// Opts are the options of an in-cluster child: parent, provider, DeletedWith, then any extra ones.
func (t Target) Opts(parent pulumi.Resource, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Parent(parent), pulumi.Provider(t.Provider)}
	if t.DeletedWith != nil {
		opts = append(opts, pulumi.DeletedWith(t.DeletedWith))
	}
	return append(opts, extra...)
}
