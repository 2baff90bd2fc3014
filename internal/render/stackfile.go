// Package render runs the real program for a stack against the recording mock engine, offline, and writes what
// it would send: Kubernetes objects, Helm releases, the dependency graph and a summary. `cmd/render`, the
// whole-stack tests and the conformance suite all use it, so there is one path from config to manifests.
package render

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/egress-mesh/egress-mesh/stacks"
)

// SecretPlaceholder stands for a value set with --secret: render never decrypts.
const SecretPlaceholder = stacks.SecretPlaceholder

// LoadStack reads the config of stack NAME from DIR/Pulumi.NAME.yaml, on top of the defaults in DIR/Pulumi.yaml,
// as the Pulumi CLI would hand it to the program. Secure values become SecretPlaceholder, still marked secret.
func LoadStack(dir, name string) (stacks.Raw, error) {
	raw := stacks.Raw{Values: map[string]string{}, Secrets: map[string]bool{}, Opaque: map[string]bool{}}
	var project struct {
		Config map[string]struct {
			Default any `json:"default"`
		} `json:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &project); err != nil {
		return raw, err
	}
	for key, decl := range project.Config {
		if decl.Default != nil {
			raw.Values[key] = configString(decl.Default)
		}
	}

	var stack struct {
		Config map[string]any `json:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi."+name+".yaml"), &stack); err != nil {
		return raw, err
	}
	for fullKey, value := range stack.Config {
		// A key without a namespace is the project's: the CLI rewrites `path: envoy` to `egress-mesh:path`
		// (sdk/go/common/workspace/loaders.go, stackConfigNamespacedWithProject).
		ns, key, ok := strings.Cut(fullKey, ":")
		if !ok {
			ns, key = stacks.Namespace, fullKey
		}
		if ns != stacks.Namespace {
			continue // another package's config (e.g. kubernetes:...) is not the program's
		}
		if m, isMap := value.(map[string]any); isMap && m["secure"] != nil {
			raw.Values[key], raw.Secrets[key], raw.Opaque[key] = SecretPlaceholder, true, true
			continue
		}
		raw.Values[key] = configString(value)
	}
	return raw, nil
}

// configString is how Pulumi passes a config value to a program: strings as is, everything else as JSON.
func configString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func readYAML(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// StackNames lists the stacks that have a Pulumi.NAME.yaml in dir.
func StackNames(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	return names, nil
}
