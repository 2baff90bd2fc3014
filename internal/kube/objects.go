package kube

import (
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Meta is the metadata of an object the program declares. Names are fixed (no auto-naming) because the
// seeds' checks and cross-references (routes, policies, GatewayExtensions) address objects by name.
type Meta struct {
	Name, Namespace string
	Labels          map[string]string
	Annotations     map[string]string
}

// Args is the ObjectMeta input.
func (m Meta) Args() *metav1.ObjectMetaArgs {
	args := &metav1.ObjectMetaArgs{Name: pulumi.String(m.Name)}
	if m.Namespace != "" {
		args.Namespace = pulumi.String(m.Namespace)
	}
	if len(m.Labels) > 0 {
		args.Labels = pulumi.ToStringMap(m.Labels)
	}
	if len(m.Annotations) > 0 {
		args.Annotations = pulumi.ToStringMap(m.Annotations)
	}
	return args
}

// Namespace declares a namespace with labels (e.g. ambient enrolment).
func Namespace(ctx *pulumi.Context, t Target, parent pulumi.Resource, name string, labels map[string]string,
	opts ...pulumi.ResourceOption) (*corev1.Namespace, error) {
	return corev1.NewNamespace(ctx, "ns-"+name, &corev1.NamespaceArgs{
		Metadata: Meta{Name: name, Labels: labels}.Args(),
	}, t.Opts(parent, opts...)...)
}

// Object declares a custom object. fields holds the top-level fields besides apiVersion, kind and metadata
// (usually "spec"); values may be plain Go values or Pulumi inputs.
func Object(ctx *pulumi.Context, t Target, parent pulumi.Resource, apiVersion, kind string, meta Meta,
	fields map[string]any, opts ...pulumi.ResourceOption) (*apiextensions.CustomResource, error) {
	return apiextensions.NewCustomResource(ctx, ResourceName(kind, meta), &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(apiVersion),
		Kind:        pulumi.String(kind),
		Metadata:    meta.Args(),
		OtherFields: kubernetes.UntypedArgs(fields),
	}, t.Opts(parent, opts...)...)
}

// ResourceName is the Pulumi name of an object: kind, namespace and name, so it is unique per stack and
// readable in a preview.
func ResourceName(kind string, meta Meta) string {
	if meta.Namespace == "" {
		return strings.ToLower(kind) + "-" + meta.Name
	}
	return strings.ToLower(kind) + "-" + meta.Namespace + "-" + meta.Name
}
