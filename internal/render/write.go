package render

import (
	"bytes"
	"fmt"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Write writes objects.yaml, helm.yaml, graph.dot and summary.txt into dir.
func (r *Result) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string]func() ([]byte, error){
		"objects.yaml": r.ObjectsYAML,
		"helm.yaml":    r.HelmYAML,
		"graph.dot":    func() ([]byte, error) { return []byte(r.Graph()), nil },
		"summary.txt":  func() ([]byte, error) { return []byte(r.Summary()), nil },
	}
	for name, content := range files {
		data, err := content()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ObjectsYAML is objects.yaml: every object in dependency order, secrets and unknowns as placeholders.
func (r *Result) ObjectsYAML() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Stack %s: every Kubernetes object the program sends itself, in dependency order.\n", r.Stack)
	for _, url := range r.ConfigFiles() {
		fmt.Fprintf(&b, "# Also applied before these: the objects of %s\n", url)
	}
	for _, o := range r.Objects() {
		data, err := yaml.Marshal(o.Manifest)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "---\n# %s (%s)\n%s", o.Resource.Name, o.Resource.Type, data)
	}
	return b.Bytes(), nil
}

// HelmYAML is helm.yaml: every chart and release with its values.
func (r *Result) HelmYAML() ([]byte, error) {
	data, err := yaml.Marshal(r.Releases())
	if err != nil {
		return nil, err
	}
	return append([]byte(fmt.Sprintf("# Stack %s: every Helm chart and release, with the values the program sets.\n", r.Stack)), data...), nil
}

// Graph is every resource and dependency edge in Graphviz dot: solid edges are "waits for", dashed are "is a
// child of".
func (r *Result) Graph() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n", r.Stack)
	// By URN, not registration order: the SDK registers resources concurrently, and two renders of one config
	// must diff clean.
	all := append([]*recorder.Resource(nil), r.Rec.All()...)
	sort.Slice(all, func(i, j int) bool { return all[i].URN < all[j].URN })
	for _, res := range all {
		fmt.Fprintf(&b, "  %q [label=%q];\n", res.URN, res.Type+"\n"+res.Name)
	}
	for _, res := range all {
		deps := append([]*recorder.Resource(nil), r.Rec.DirectDependencies(res)...)
		sort.Slice(deps, func(i, j int) bool { return deps[i].URN < deps[j].URN })
		for _, dep := range deps {
			fmt.Fprintf(&b, "  %q -> %q;\n", res.URN, dep.URN)
		}
		if parent := r.Rec.ByURN(res.Parent); parent != nil {
			fmt.Fprintf(&b, "  %q -> %q [style=dashed, color=gray];\n", res.URN, parent.URN)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// Summary is the resource count by type and the longest dependency chain.
func (r *Result) Summary() string {
	counts := map[string]int{}
	total := 0
	for _, res := range r.Rec.All() {
		counts[res.Type]++
		total++
	}
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Strings(types)
	var b strings.Builder
	fmt.Fprintf(&b, "stack: %s\nresources: %d\nkubernetes objects: %d\nhelm charts and releases: %d\nlongest dependency chain: %d\n\nby type:\n",
		r.Stack, total, len(r.Objects()), len(r.Releases()), r.Rec.LongestChain())
	for _, t := range types {
		fmt.Fprintf(&b, "  %4d  %s\n", counts[t], t)
	}
	return b.String()
}
