package controlplane

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ApplyAll applies a whole rendering in the order a cluster needs, whatever order objs come in: CRDs (waiting
// until they are served), then Namespaces, then everything else in the given order. A CRD failure is returned
// along with the errors of the objects that then could not be applied.
func (c *ControlPlane) ApplyAll(ctx context.Context, objs []*unstructured.Unstructured) []error {
	var crds, namespaces, rest []*unstructured.Unstructured
	for _, obj := range objs {
		switch gvk := obj.GroupVersionKind(); {
		case gvk.Group == "apiextensions.k8s.io" && gvk.Kind == "CustomResourceDefinition":
			crds = append(crds, obj)
		case gvk.Group == "" && gvk.Kind == "Namespace":
			namespaces = append(namespaces, obj)
		default:
			rest = append(rest, obj)
		}
	}
	var errs []error
	if len(crds) > 0 {
		if err := c.ApplyCRDs(ctx, crds); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.Apply(ctx, namespaces)...)
	return append(errs, c.Apply(ctx, rest)...)
}
