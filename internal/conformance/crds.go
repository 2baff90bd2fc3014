package conformance

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// CRDSet holds, per served group/version/kind, what kube-apiserver builds from a CRD to serve it.
type CRDSet struct {
	versions map[schema.GroupVersionKind]*crdVersion
	served   map[schema.GroupKind][]string
}

type crdVersion struct {
	crd        string // CRD name, for messages
	namespaced bool
	hasStatus  bool
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator

	// CEL programs are compiled on first use: the Gateway API and agentgateway CRDs hold
	// thousands of rules, and most runs validate a handful of kinds.
	celOnce sync.Once
	cel     *cel.Validator
}

// LoadCRDs reads CustomResourceDefinition YAML files (multi-document allowed) and prepares every
// served version the way kube-apiserver's CRD handler does. A schema that is not structural is an
// error: the apiserver would refuse the CRD.
func LoadCRDs(files ...string) (*CRDSet, error) {
	set := &CRDSet{versions: map[schema.GroupVersionKind]*crdVersion{}, served: map[schema.GroupKind][]string{}}
	var problems []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objs, err := DecodeYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, u := range objs {
			if u.GetKind() != "CustomResourceDefinition" {
				problems = append(problems, fmt.Sprintf("%s: %s is not a CustomResourceDefinition", f, describe(u)))
				continue
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, crd); err != nil {
				return nil, fmt.Errorf("%s: CRD %s: %w", f, u.GetName(), err)
			}
			problems = append(problems, set.add(crd)...)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("conformance: CRDs not usable:\n  %s", strings.Join(problems, "\n  "))
	}
	return set, nil
}

func (s *CRDSet) add(crd *apiextensionsv1.CustomResourceDefinition) []string {
	var problems []string
	gk := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		gvk := gk.WithVersion(v.Name)
		cv, err := newCRDVersion(crd, v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("CRD %s version %s: %v", crd.Name, v.Name, err))
			continue
		}
		if _, dup := s.versions[gvk]; dup {
			problems = append(problems, fmt.Sprintf("CRD %s: %s defined twice", crd.Name, gvk))
			continue
		}
		s.versions[gvk] = cv
		s.served[gk] = append(s.served[gk], v.Name)
	}
	sort.Strings(s.served[gk])
	return problems
}

// newCRDVersion mirrors crdHandler.getOrCreateServingInfoFor in k8s.io/apiextensions-apiserver.
func newCRDVersion(crd *apiextensionsv1.CustomResourceDefinition, v apiextensionsv1.CustomResourceDefinitionVersion) (*crdVersion, error) {
	if crd.Spec.PreserveUnknownFields {
		return nil, fmt.Errorf("spec.preserveUnknownFields is true: nothing would be pruned or checked")
	}
	if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("no openAPIV3Schema")
	}
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v.Schema, internal, nil); err != nil {
		return nil, err
	}
	ss, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("not a structural schema: %w", err)
	}
	if errs := structuralschema.ValidateStructural(nil, ss); len(errs) > 0 {
		return nil, fmt.Errorf("not a structural schema: %v", errs.ToAggregate())
	}
	ss = ss.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(ss); err != nil {
		return nil, fmt.Errorf("pruning defaults: %w", err)
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	return &crdVersion{
		crd:        crd.Name,
		namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		hasStatus:  v.Subresources != nil && v.Subresources.Status != nil,
		structural: ss,
		validator:  validator,
	}, nil
}

func (v *crdVersion) celValidator() *cel.Validator {
	v.celOnce.Do(func() {
		v.cel = cel.NewValidator(v.structural, true, celconfig.PerCallLimit)
	})
	return v.cel
}

// Has reports whether a loaded CRD serves gvk.
func (s *CRDSet) Has(gvk schema.GroupVersionKind) bool {
	_, ok := s.versions[gvk]
	return ok
}

// HasGroupKind reports whether a loaded CRD defines the kind in any served version.
func (s *CRDSet) HasGroupKind(gk schema.GroupKind) bool {
	_, ok := s.served[gk]
	return ok
}

// Len is the number of served group/version/kinds.
func (s *CRDSet) Len() int { return len(s.versions) }
