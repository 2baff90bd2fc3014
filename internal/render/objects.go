package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
)

// Resource types that are not Kubernetes objects the program declares itself.
const (
	typeChartV4      = "kubernetes:helm.sh/v4:Chart"
	typeReleaseV3    = "kubernetes:helm.sh/v3:Release"
	typeConfigFileV2 = "kubernetes:yaml/v2:ConfigFile"
)

// Object is a Kubernetes object as it would be sent, with its Pulumi resource.
type Object struct {
	Resource *recorder.Resource
	Manifest map[string]any
}

// Kind, Namespace and Name identify the object in messages.
func (o Object) Kind() string { s, _ := o.Manifest["kind"].(string); return s }

// APIVersion is the object's apiVersion.
func (o Object) APIVersion() string { s, _ := o.Manifest["apiVersion"].(string); return s }

// Namespace is metadata.namespace ("" if cluster-scoped).
func (o Object) Namespace() string { return o.meta("namespace") }

// Name is metadata.name.
func (o Object) Name() string { return o.meta("name") }

func (o Object) meta(key string) string {
	m, _ := o.Manifest["metadata"].(map[string]any)
	s, _ := m[key].(string)
	return s
}

// String is kind/namespace/name.
func (o Object) String() string {
	if ns := o.Namespace(); ns != "" {
		return o.Kind() + "/" + ns + "/" + o.Name()
	}
	return o.Kind() + "/" + o.Name()
}

// isObject reports whether a recorded resource is a Kubernetes object the program sends itself.
func isObject(res *recorder.Resource) bool {
	return res.Custom && strings.HasPrefix(res.Type, "kubernetes:") && !strings.HasPrefix(res.Type, "kubernetes:helm.sh/") &&
		!strings.HasPrefix(res.Type, "kubernetes:yaml/")
}

// Objects returns every Kubernetes object, in an order the API server accepts: namespaces and CRDs first, then
// each object after everything it depends on, otherwise in registration order. It is computed once per Result
// (objects.yaml, the summary and the tests all ask for it); callers must not modify the slice.
func (r *Result) Objects() []Object {
	r.objectsOnce.Do(func() {
		var objs []Object
		for _, res := range r.Rec.All() {
			if isObject(res) {
				objs = append(objs, Object{Resource: res, Manifest: manifest(res)})
			}
		}
		r.objects = dependencyOrder(r.Rec, objs)
	})
	return r.objects
}

// manifest turns recorded inputs into the object, with placeholders for what is unknown or secret.
func manifest(res *recorder.Resource) map[string]any {
	m := placeholders(resource.NewObjectProperty(res.Inputs), "").(map[string]any)
	// Typed resources carry apiVersion and kind in their type token: kubernetes:<group>/<version>:<Kind>.
	parts := strings.Split(strings.TrimPrefix(res.Type, "kubernetes:"), ":")
	if len(parts) == 2 {
		gv := strings.TrimPrefix(parts[0], "core/")
		if _, ok := m["apiVersion"]; !ok {
			m["apiVersion"] = gv
		}
		if _, ok := m["kind"]; !ok {
			m["kind"] = parts[1]
		}
	}
	return m
}

// placeholders converts a property value to plain data: secrets become "<secret>" and values only known after
// deployment "<unknown: field.path>", so both are visible and greppable in a review.
func placeholders(v resource.PropertyValue, path string) any {
	switch {
	case v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret):
		return SecretPlaceholder
	case v.IsComputed() || (v.IsOutput() && !v.OutputValue().Known):
		return fmt.Sprintf("<unknown: %s>", strings.TrimPrefix(path, "."))
	case v.IsOutput():
		return placeholders(v.OutputValue().Element, path)
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			if strings.HasPrefix(string(k), "__") {
				continue // SDK bookkeeping such as __defaults
			}
			out[string(k)] = placeholders(e, path+"."+string(k))
		}
		return out
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out = append(out, placeholders(e, fmt.Sprintf("%s[%d]", path, i)))
		}
		return out
	default:
		return recorder.Plain(v)
	}
}

// Release is a Helm chart or release as the program installs it.
type Release struct {
	Resource   string         `json:"resource"`
	Type       string         `json:"type"`
	Repository string         `json:"repository,omitempty"`
	Chart      string         `json:"chart"`
	Version    string         `json:"version"`
	Namespace  string         `json:"namespace"`
	Values     map[string]any `json:"values"`
}

// Releases returns every Helm chart (v4) and release (v3), by type and resource name (registration order is
// not stable).
func (r *Result) Releases() []Release {
	var out []Release
	for _, res := range r.Rec.All() {
		if res.Type != typeChartV4 && res.Type != typeReleaseV3 {
			continue
		}
		in := placeholders(resource.NewObjectProperty(res.Inputs), "").(map[string]any)
		rel := Release{Resource: res.Name, Type: strings.TrimPrefix(res.Type, "kubernetes:")}
		rel.Chart, _ = in["chart"].(string)
		rel.Version, _ = in["version"].(string)
		rel.Namespace, _ = in["namespace"].(string)
		if opts, ok := in["repositoryOpts"].(map[string]any); ok {
			rel.Repository, _ = opts["repo"].(string)
		}
		rel.Values, _ = in["values"].(map[string]any)
		if rel.Values == nil {
			rel.Values = map[string]any{}
		}
		out = append(out, rel)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Resource < out[j].Resource
	})
	return out
}

// ConfigFiles returns the manifests applied from a URL (yaml/v2 ConfigFile): their objects are not known offline.
func (r *Result) ConfigFiles() []string {
	var out []string
	for _, res := range r.Rec.OfType(typeConfigFileV2) {
		if f, ok := res.Input("file"); ok && f.IsString() {
			out = append(out, f.StringValue())
		}
	}
	sort.Strings(out)
	return out
}
