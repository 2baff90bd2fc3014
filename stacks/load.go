package stacks

import (
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Raw is the stack's config as Pulumi hands it to a program: short key -> string value (arrays as JSON),
// plus which keys were set as secrets. An empty value means unset: Pulumi.yaml gives every optional key the
// default "" (a typed key without a default is required by the Pulumi CLI).
type Raw struct {
	Values  map[string]string
	Secrets map[string]bool
	// Opaque keys have a value the reader could not see (cmd/render never decrypts): checks that need the
	// value itself, such as parsing the kubeconfig, are left to `pulumi up`.
	Opaque map[string]bool
}

// RawFromContext reads the running program's config: every known key, and every other key in the project's
// namespace that the stack sets (names), so that a typo is refused rather than ignored.
func RawFromContext(ctx *pulumi.Context, names []string) Raw {
	raw := Raw{Values: map[string]string{}, Secrets: map[string]bool{}}
	all := append([]string(nil), names...)
	for _, k := range Keys {
		all = append(all, k.Name)
	}
	for _, name := range all {
		full := Namespace + ":" + name
		if v, ok := ctx.GetConfig(full); ok {
			raw.Values[name] = v
			raw.Secrets[name] = ctx.IsConfigSecret(full)
		}
	}
	return raw
}

// SetKeyNames lists the keys in the project's namespace that the Pulumi CLI handed this process. The Go SDK
// offers no way to list config, but the language host passes all of it, as JSON, in PULUMI_CONFIG
// (sdk/go/pulumi/run.go: `if cfg := os.Getenv(EnvConfig); cfg != "" { json.Unmarshal(...) }`). The CLI does
// not refuse undeclared keys itself: workspace.ValidateStackConfigAndApplyProjectConfig only checks the keys
// Pulumi.yaml declares (sdk/go/common/workspace/config.go, validateStackConfigValues loops over
// project.Config), so an unknown key reaches the program, which must refuse it.
func SetKeyNames() []string {
	var cfg map[string]string
	_ = json.Unmarshal([]byte(os.Getenv(pulumi.EnvConfig)), &cfg)
	var names []string
	for full := range cfg {
		if name, ok := strings.CutPrefix(full, Namespace+":"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// LoadConfig reads and validates the running stack's config; names are the keys the stack sets.
func LoadConfig(ctx *pulumi.Context, names []string) (*Config, error) {
	return Parse(RawFromContext(ctx, names))
}

// Parse turns raw config into a Config: defaults applied, every value checked. All problems are reported
// at once, each naming the key, the bad value (or `<secret>`) and what is allowed.
func Parse(raw Raw) (*Config, error) {
	p := &parser{raw: raw}
	p.unknownKeys()
	p.secrecy()
	cfg := &Config{Path: p.choice("path"), Cluster: ClusterConfig{Mode: p.choice("cluster")}}
	p.applicability()
	cfg.Squid.Mode = p.choice("squidMode")
	cfg.Ollama.Mode = p.choice("ollamaMode")
	p.readValues(cfg)
	p.crossChecks(cfg)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return cfg, nil
}
