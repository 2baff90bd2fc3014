package kube

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// OneReplica is the spec of every Deployment the program runs itself: one replica whose pods the selector
// matches. podMeta carries the pods' labels (a superset of selector) and annotations; nil means the selector's
// labels alone.
func OneReplica(selector map[string]string, podMeta *metav1.ObjectMetaArgs, pod *corev1.PodSpecArgs) *appsv1.DeploymentSpecArgs {
	if podMeta == nil {
		podMeta = &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(selector)}
	}
	return &appsv1.DeploymentSpecArgs{
		Replicas: pulumi.Int(1),
		Selector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
		Template: &corev1.PodTemplateSpecArgs{Metadata: podMeta, Spec: pod},
	}
}
