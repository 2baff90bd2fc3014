// Package recorder is the in-process stand-in for the Pulumi engine: a mock resource monitor that records
// every registration (type, name, inputs, parent, dependencies, provider, DeletedWith) and answers with
// realistic outputs. The unit tests and cmd/render both run the real program against it, so what the tests
// assert and what reviewers read is exactly what `pulumi up` would send.
package recorder

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource is one registration as the engine received it.
type Resource struct {
	URN, Type, Name         string
	Custom, Remote          bool
	Inputs                  resource.PropertyMap
	Parent                  string              // URN ("" for children of the stack)
	Dependencies            []string            // URNs, as the SDK expanded DependsOn and input dependencies
	PropertyDependencies    map[string][]string // input name -> URNs it was computed from
	Provider                string              // provider reference "urn::id", "" for the default provider
	DeletedWith             string              // URN
	DeleteBeforeReplace     bool
	AdditionalSecretOutputs []string
}

// Input returns the input at a dotted path ("spec.retry.attempts"), unwrapping secrets.
func (r *Resource) Input(path string) (resource.PropertyValue, bool) {
	v := resource.NewObjectProperty(r.Inputs)
	for _, key := range strings.Split(path, ".") {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return resource.PropertyValue{}, false
		}
		next, ok := v.ObjectValue()[resource.PropertyKey(key)]
		if !ok {
			return resource.PropertyValue{}, false
		}
		v = next
	}
	return v, true
}

// Plain returns the inputs as plain Go values (secrets unwrapped, unknowns as nil).
func (r *Resource) Plain() map[string]any {
	return Plain(resource.NewObjectProperty(r.Inputs)).(map[string]any)
}

// Plain converts a property value to plain Go values: secrets are unwrapped, unknowns become nil.
func Plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsComputed(), v.IsOutput() && !v.OutputValue().Known, v.IsNull():
		return nil
	case v.IsOutput():
		return Plain(v.OutputValue().Element)
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = Plain(e)
		}
		return out
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			out = append(out, Plain(e))
		}
		return out
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	default:
		return v.V
	}
}

// Recorder implements pulumi.MockResourceMonitor.
type Recorder struct {
	// DryRun makes every output the engine would only know after deployment unknown, as in `pulumi preview`.
	DryRun bool

	mu    sync.Mutex
	list  []*Resource
	byURN map[string]*Resource
}

// New returns an empty recorder.
func New(dryRun bool) *Recorder { return &Recorder{DryRun: dryRun, byURN: map[string]*Resource{}} }

// NewResource records a registration and returns its inputs plus faked provider outputs.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	res := &Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Inputs:   args.Inputs,
		Provider: args.Provider,
	}
	if rpc != nil {
		// The mock monitor decodes the inputs without KeepUnknowns, which drops every unknown value, nested ones
		// included (a ServiceEntry endpoint whose address is unknown in a preview came out as {}). Decode the
		// request again keeping them, as the engine does, so a preview shows where a value is still to come.
		inputs, err := plugin.UnmarshalProperties(rpc.GetObject(), plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true, KeepResources: true,
		})
		if err != nil {
			return "", nil, fmt.Errorf("decoding the inputs of %s %s: %w", args.TypeToken, args.Name, err)
		}
		res.Inputs = inputs
		res.Remote = rpc.GetRemote()
		res.Parent = rpc.GetParent()
		res.Dependencies = append(res.Dependencies, rpc.GetDependencies()...)
		res.DeletedWith = rpc.GetDeletedWith()
		res.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		res.AdditionalSecretOutputs = rpc.GetAdditionalSecretOutputs()
		res.PropertyDependencies = map[string][]string{}
		for k, deps := range rpc.GetPropertyDependencies() {
			res.PropertyDependencies[k] = deps.GetUrns()
		}
	}
	res.URN = urnFor(res)

	r.mu.Lock()
	if r.byURN == nil {
		r.byURN = map[string]*Resource{}
	}
	if _, dup := r.byURN[res.URN]; dup {
		r.mu.Unlock()
		return "", nil, fmt.Errorf("duplicate resource URN %s", res.URN)
	}
	r.list = append(r.list, res)
	r.byURN[res.URN] = res
	r.mu.Unlock()

	state := args.Inputs.Copy()
	for k, v := range fakeOutputs(res) {
		if r.DryRun {
			v = resource.MakeComputed(resource.NewProperty(""))
		}
		state[resource.PropertyKey(k)] = v
	}
	// As the engine does: outputs named in AdditionalSecretOutputs come back as secrets.
	for _, k := range res.AdditionalSecretOutputs {
		if v, ok := state[resource.PropertyKey(k)]; ok && !v.IsComputed() && !v.IsSecret() {
			state[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}
	id := ""
	if args.Custom {
		id = args.Name + "-id"
	}
	return id, state, nil
}

// Call answers invokes; the program makes none that need a real answer.
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// urnFor reproduces the mock monitor's URN scheme so parents and dependencies can be resolved.
func urnFor(res *Resource) string {
	parentType := ""
	if p := resource.URN(res.Parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = string(p.QualifiedType())
	}
	// The monitor builds URNs from its stack and project; every resource here has the stack as an ancestor.
	stack, project := "stack", "project"
	if p := resource.URN(res.Parent); p != "" {
		stack, project = string(p.Stack()), string(p.Project())
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), tokens.Type(parentType),
		tokens.Type(res.Type), res.Name))
}

// All returns every recorded resource in registration order.
func (r *Recorder) All() []*Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Resource(nil), r.list...)
}

// ByURN looks a resource up.
func (r *Recorder) ByURN(urn string) *Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byURN[urn]
}

// OfType returns the resources of a type token, in registration order.
func (r *Recorder) OfType(typ string) []*Resource {
	var out []*Resource
	for _, res := range r.All() {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// Find returns the one resource with this type and name, or nil.
func (r *Recorder) Find(typ, name string) *Resource {
	for _, res := range r.All() {
		if res.Type == typ && res.Name == name {
			return res
		}
	}
	return nil
}

// Named returns the one resource with this logical name, or nil (names are unique per stack here).
func (r *Recorder) Named(name string) *Resource {
	for _, res := range r.All() {
		if res.Name == name {
			return res
		}
	}
	return nil
}

// Children returns the direct children of a resource.
func (r *Recorder) Children(parent *Resource) []*Resource {
	var out []*Resource
	for _, res := range r.All() {
		if res.Parent == parent.URN {
			out = append(out, res)
		}
	}
	return out
}

// IsDescendant reports whether res is ancestor itself or below it in the parent tree.
func (r *Recorder) IsDescendant(res, ancestor *Resource) bool {
	for cur := res; cur != nil; cur = r.ByURN(cur.Parent) {
		if cur.URN == ancestor.URN {
			return true
		}
	}
	return false
}

// directDeps is every URN a resource waits for: its dependencies, property dependencies and parent's.
func (r *Recorder) directDeps(res *Resource) []string {
	seen := map[string]bool{}
	var out []string
	add := func(urns ...string) {
		for _, u := range urns {
			if u != "" && !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	add(res.Dependencies...)
	for _, deps := range res.PropertyDependencies {
		add(deps...)
	}
	sort.Strings(out)
	return out
}

// DirectDependencies returns the resources a resource waits for directly.
func (r *Recorder) DirectDependencies(res *Resource) []*Resource {
	var out []*Resource
	for _, u := range r.directDeps(res) {
		if d := r.ByURN(u); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// WaitsFor reports whether `later` (or anything inside it) cannot start before `earlier` (or anything inside
// it) exists, following dependency edges transitively. A component waits for what its children wait for.
func (r *Recorder) WaitsFor(later, earlier *Resource) bool {
	if later == nil || earlier == nil {
		return false
	}
	var start []*Resource
	for _, res := range r.All() {
		if r.IsDescendant(res, later) {
			start = append(start, res)
		}
	}
	seen := map[string]bool{}
	queue := start
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, dep := range r.DirectDependencies(cur) {
			if seen[dep.URN] {
				continue
			}
			seen[dep.URN] = true
			if r.IsDescendant(dep, earlier) {
				return true
			}
			queue = append(queue, dep)
		}
	}
	return false
}

// LongestChain is the length (in resources) of the longest dependency chain among custom and remote resources.
func (r *Recorder) LongestChain() int {
	memo := map[string]int{}
	var depth func(res *Resource, stack map[string]bool) int
	depth = func(res *Resource, stack map[string]bool) int {
		if d, ok := memo[res.URN]; ok {
			return d
		}
		if stack[res.URN] {
			return 0
		}
		stack[res.URN] = true
		best := 0
		for _, dep := range r.DirectDependencies(res) {
			if d := depth(dep, stack); d > best {
				best = d
			}
		}
		delete(stack, res.URN)
		own := 0
		if res.Custom || res.Remote {
			own = 1
		}
		memo[res.URN] = best + own
		return best + own
	}
	longest := 0
	for _, res := range r.All() {
		if d := depth(res, map[string]bool{}); d > longest {
			longest = d
		}
	}
	return longest
}
