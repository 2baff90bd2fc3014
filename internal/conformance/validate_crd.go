package conformance

import (
	"context"
	"strings"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// Validate runs the create path kube-apiserver runs for a custom resource: metadata decoding, pruning
// (every pruned field is reported, because the server would silently drop it), defaulting, OpenAPI
// schema validation, embedded-object and list-type checks, then the CRD's CEL rules. Every error
// names the object and the field path.
func (s *CRDSet) Validate(obj *unstructured.Unstructured) []error {
	u, err := normalize(obj)
	if err != nil {
		return []error{objError(obj, "not JSON-serialisable: %v", err)}
	}
	gvk := u.GroupVersionKind()
	v, ok := s.versions[gvk]
	if !ok {
		if served, known := s.served[gvk.GroupKind()]; known {
			return []error{objError(u, "version %q of %s is not served (served: %s)", gvk.Version, gvk.GroupKind(), strings.Join(served, ", "))}
		}
		return []error{objError(u, "no CRD defines %s", gvk.GroupKind())}
	}

	var errs []error
	add := func(list field.ErrorList) {
		for _, e := range list {
			errs = append(errs, objError(u, "%s", e.Error()))
		}
	}
	errs = append(errs, scopeErrors(u, v.namespaced)...)

	// Decoding: unknown metadata fields, then pruning against the structural schema.
	_, _, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return append(errs, objError(u, "metadata: %v", err))
	}
	pruned := pruning.PruneWithOptions(u.Object, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.structural)
	ferr, embeddedUnknown := schemaobjectmeta.CoerceWithOptions(nil, u.Object, v.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if ferr != nil {
		add(field.ErrorList{ferr})
	}
	for _, p := range append(append(metaUnknown, pruned...), embeddedUnknown...) {
		errs = append(errs, objError(u, "%s would be pruned: unknown field (typo?) in CRD %s", p, v.crd))
	}

	structuraldefaulting.Default(u.Object, v.structural)
	if v.hasStatus {
		// With a status subresource the server drops status on create (PrepareForCreate).
		delete(u.Object, "status")
	}

	// customResourceStrategy.Validate, in the same order.
	var list field.ErrorList
	list = append(list, validation.ValidateObjectMetaAccessor(u, v.namespaced, validation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	list = append(list, apiservervalidation.ValidateCustomResource(nil, u.UnstructuredContent(), v.validator)...)
	list = append(list, schemaobjectmeta.Validate(nil, u.Object, v.structural, false)...)
	list = append(list, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, u.Object)...)
	if blocking(list) {
		list = append(list, field.Invalid(nil, nil, "CEL rules not evaluated because the object is invalid; fix the errors above"))
	} else if c := v.celValidator(); c != nil {
		celErrs, _ := c.Validate(context.Background(), nil, v.structural, u.Object, nil, celconfig.RuntimeCELCostBudget)
		list = append(list, celErrs...)
	}
	add(dropScopeDuplicates(list))
	return errs
}

// blocking mirrors hasBlockingErr in the apiserver's customresource strategy: CEL is skipped when
// the object has errors that make rule evaluation meaningless.
func blocking(list field.ErrorList) bool {
	for _, e := range list {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			// A missing namespace is reported by scopeErrors and does not stop the apiserver's
			// CEL either (the REST layer rejects it before validation).
			if e.Field == "metadata.namespace" {
				continue
			}
			return true
		}
	}
	return false
}

// scopeErrors explains scope mistakes plainly. The apiserver clears metadata.namespace on a
// cluster-scoped kind without complaint, which hides a real misunderstanding (seed mistake #3).
func scopeErrors(u *unstructured.Unstructured, namespaced bool) []error {
	switch ns := u.GetNamespace(); {
	case namespaced && ns == "":
		return []error{objError(u, "metadata.namespace: required, %s is namespace-scoped", u.GetKind())}
	case !namespaced && ns != "":
		return []error{objError(u, "metadata.namespace: %q set, but %s is cluster-scoped", ns, u.GetKind())}
	}
	return nil
}

// dropScopeDuplicates removes ObjectMeta's own namespace errors, already reported by scopeErrors.
func dropScopeDuplicates(list field.ErrorList) field.ErrorList {
	out := list[:0]
	for _, e := range list {
		if e.Field == "metadata.namespace" && (e.Type == field.ErrorTypeRequired || e.Type == field.ErrorTypeForbidden) {
			continue
		}
		out = append(out, e)
	}
	return out
}
