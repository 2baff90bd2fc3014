package conformance

import (
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

var (
	builtinScheme = func() *runtime.Scheme {
		s := runtime.NewScheme()
		utilruntime.Must(clientgoscheme.AddToScheme(s))
		utilruntime.Must(apiextensionsv1.AddToScheme(s))
		return s
	}()
	// Strict: unknown and duplicate fields are errors, as with kubectl --validate=strict or
	// fieldValidation=Strict; the apiserver's default silently drops them.
	strictDecoder = json.NewSerializerWithOptions(json.DefaultMetaFactory, builtinScheme, builtinScheme, json.SerializerOptions{Strict: true})
)

// IsBuiltin reports whether gvk is a type the client-go scheme (plus apiextensions/v1) knows.
func IsBuiltin(gvk schema.GroupVersionKind) bool { return builtinScheme.Recognizes(gvk) }

// ValidateBuiltin decodes obj strictly into its k8s.io/api type and runs cheap validation that
// needs no cluster: object metadata (names by kind, labels, annotations), pod templates, services.
func ValidateBuiltin(obj *unstructured.Unstructured) []error {
	u, err := normalize(obj)
	if err != nil {
		return []error{objError(obj, "not JSON-serialisable: %v", err)}
	}
	gvk := u.GroupVersionKind()
	if !builtinScheme.Recognizes(gvk) {
		return []error{objError(u, "%s is not a built-in Kubernetes type of this version (k8s.io/api v0.34)", gvk)}
	}
	raw, err := u.MarshalJSON()
	if err != nil {
		return []error{objError(u, "%v", err)}
	}
	var errs []error
	typed, _, err := strictDecoder.Decode(raw, nil, nil)
	if err != nil {
		strict, ok := runtime.AsStrictDecodingError(err)
		if !ok || typed == nil {
			return []error{objError(u, "does not decode into %s: %v", gvk, err)}
		}
		// Strict errors still yield the decoded object: keep checking it.
		for _, e := range strict.Errors() {
			errs = append(errs, objError(u, "%v (the apiserver would drop it)", e))
		}
	}

	namespaced := !clusterScoped[gvk.GroupKind()]
	var list field.ErrorList
	if namespaced && u.GetNamespace() == "" {
		list = append(list, field.Required(field.NewPath("metadata", "namespace"), gvk.Kind+" is namespace-scoped"))
	}
	if !namespaced && u.GetNamespace() != "" {
		list = append(list, field.Forbidden(field.NewPath("metadata", "namespace"), gvk.Kind+" is cluster-scoped"))
	}
	list = append(list, validation.ValidateObjectMetaAccessor(u, namespaced, nameValidator(gvk.GroupKind()), field.NewPath("metadata"))...)
	list = append(list, typedChecks(typed)...)

	for _, e := range dedupe(list) {
		errs = append(errs, objError(u, "%s", e.Error()))
	}
	return errs
}

// nameValidator picks the name rule the apiserver applies to the kind (DNS subdomain by default).
func nameValidator(gk schema.GroupKind) validation.ValidateNameFunc {
	switch {
	case gk == schema.GroupKind{Kind: "Service"}:
		return validation.NameIsDNS1035Label
	case gk == schema.GroupKind{Kind: "Namespace"}:
		return validation.ValidateNamespaceName
	case gk.Group == "rbac.authorization.k8s.io":
		return path.ValidatePathSegmentName
	}
	return validation.NameIsDNSSubdomain
}

// clusterScoped lists the cluster-scoped built-in kinds (everything else in the scheme is namespaced).
var clusterScoped = map[schema.GroupKind]bool{}

func init() {
	for _, k := range []string{
		"/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
		"rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
		"apiextensions.k8s.io/CustomResourceDefinition", "apiregistration.k8s.io/APIService",
		"admissionregistration.k8s.io/ValidatingWebhookConfiguration", "admissionregistration.k8s.io/MutatingWebhookConfiguration",
		"admissionregistration.k8s.io/ValidatingAdmissionPolicy", "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
		"admissionregistration.k8s.io/MutatingAdmissionPolicy", "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
		"storage.k8s.io/StorageClass", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode", "storage.k8s.io/VolumeAttachment",
		"storage.k8s.io/VolumeAttributesClass", "scheduling.k8s.io/PriorityClass", "node.k8s.io/RuntimeClass",
		"networking.k8s.io/IngressClass", "networking.k8s.io/IPAddress", "networking.k8s.io/ServiceCIDR",
		"certificates.k8s.io/CertificateSigningRequest", "certificates.k8s.io/ClusterTrustBundle",
		"flowcontrol.apiserver.k8s.io/FlowSchema", "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
		"resource.k8s.io/DeviceClass", "resource.k8s.io/ResourceSlice",
		"authentication.k8s.io/TokenReview", "authentication.k8s.io/SelfSubjectReview",
		"authorization.k8s.io/SubjectAccessReview", "authorization.k8s.io/SelfSubjectAccessReview",
		"authorization.k8s.io/SelfSubjectRulesReview",
	} {
		group, kind, _ := strings.Cut(k, "/")
		clusterScoped[schema.GroupKind{Group: group, Kind: kind}] = true
	}
}

func dedupe(list field.ErrorList) field.ErrorList {
	seen := map[string]bool{}
	out := field.ErrorList{}
	for _, e := range list {
		// ObjectMeta repeats our clearer scope messages with its own wording.
		if e.Field == "metadata.namespace" && (e.Detail == "" || e.Detail == "not allowed on this type") {
			continue
		}
		if key := e.Error(); !seen[key] {
			seen[key] = true
			out = append(out, e)
		}
	}
	return out
}
