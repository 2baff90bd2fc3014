package controlplane

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// FieldManager owns every field this package applies.
const FieldManager = "egress-mesh-conformance"

var crdResource = schema.GroupVersionResource{
	Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions",
}

// ApplyError is one object the server (or the client, for an unknown kind) refused. Err keeps the API status
// error, so apierrors.IsInvalid and friends work through errors.As / Unwrap.
type ApplyError struct {
	Kind, Namespace, Name string
	Err                   error
}

func (e *ApplyError) Error() string {
	if e.Namespace == "" {
		return fmt.Sprintf("%s %s: %v", e.Kind, e.Name, e.Err)
	}
	return fmt.Sprintf("%s %s/%s: %v", e.Kind, e.Namespace, e.Name, e.Err)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply server-side applies objs in order (field manager FieldManager, conflicts forced) and returns one
// *ApplyError per rejected object; nil means every object was accepted. Order matters as on a real cluster:
// namespaces and CRDs (via ApplyCRDs) must come before the objects that need them. A namespaced object without a
// namespace goes to "default", as kubectl and the Pulumi provider would put it.
func (c *ControlPlane) Apply(ctx context.Context, objs []*unstructured.Unstructured) []error {
	var errs []error
	for _, obj := range objs {
		if err := c.applyOne(ctx, obj); err != nil {
			errs = append(errs, &ApplyError{
				Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName(), Err: err,
			})
		}
	}
	return errs
}

func (c *ControlPlane) applyOne(ctx context.Context, obj *unstructured.Unstructured) error {
	if obj.GetName() == "" {
		return errors.New("server-side apply needs metadata.name")
	}
	gvk := obj.GroupVersionKind()
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("kind %s is not served (was its CRD applied first?): %w", gvk, err)
	}
	res := c.dynamic.Resource(mapping.Resource)
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	if mapping.Scope.Name() == meta.RESTScopeNameRoot {
		_, err = res.Apply(ctx, obj.GetName(), obj, opts)
		return err
	}
	ns := obj.GetNamespace()
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	_, err = res.Namespace(ns).Apply(ctx, obj.GetName(), obj, opts)
	return err
}

// ApplyCRDs server-side applies CRDs, waits until each is Established, then refreshes discovery until every
// served version's kind resolves, so Apply can use the new kinds immediately.
func (c *ControlPlane) ApplyCRDs(ctx context.Context, crds []*unstructured.Unstructured) error {
	if errs := c.Apply(ctx, crds); len(errs) > 0 {
		return errors.Join(errs...)
	}
	var errs []error
	for _, crd := range crds {
		if err := c.waitEstablished(ctx, crd.GetName()); err != nil {
			errs = append(errs, fmt.Errorf("CRD %s: %w", crd.GetName(), err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return c.waitServed(ctx, crds)
}

// waitEstablished polls the CRD's conditions; NamesAccepted=False ends the wait early because such a CRD never
// becomes Established.
func (c *ControlPlane) waitEstablished(ctx context.Context, name string) error {
	for {
		got, err := c.dynamic.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, raw := range conds {
			cond, _ := raw.(map[string]any)
			switch {
			case cond["type"] == "Established" && cond["status"] == "True":
				return nil
			case cond["type"] == "NamesAccepted" && cond["status"] == "False":
				return fmt.Errorf("names not accepted: %v", cond["message"])
			}
		}
		if err := sleep(ctx); err != nil {
			return fmt.Errorf("waiting for Established: %w", err)
		}
	}
}

// waitServed resets the cached discovery until every served version of every CRD maps; discovery is updated
// asynchronously after a CRD is Established, so a single reset can still miss it.
func (c *ControlPlane) waitServed(ctx context.Context, crds []*unstructured.Unstructured) error {
	var want []schema.GroupVersionKind
	for _, crd := range crds {
		group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
		versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
		for _, raw := range versions {
			v, _ := raw.(map[string]any)
			if served, _ := v["served"].(bool); served {
				name, _ := v["name"].(string)
				want = append(want, schema.GroupVersionKind{Group: group, Version: name, Kind: kind})
			}
		}
	}
	for {
		c.mapper.Reset()
		var missing error
		for _, gvk := range want {
			if _, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
				missing = fmt.Errorf("%s not in discovery: %w", gvk, err)
				break
			}
		}
		if missing == nil {
			return nil
		}
		if err := sleep(ctx); err != nil {
			return fmt.Errorf("%w (%w)", missing, err)
		}
	}
}

func sleep(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(pollInterval):
		return nil
	}
}
