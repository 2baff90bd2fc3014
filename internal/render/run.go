package render

import (
	"sort"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/stacks"
)

// Output is a stack output as `pulumi stack output` would know it.
type Output struct {
	Value  any
	Known  bool // false in a preview for values only known after deployment
	Secret bool
}

// Result is one offline run of the program.
type Result struct {
	Stack   string
	Rec     *recorder.Recorder
	Outputs map[string]Output

	objectsOnce sync.Once
	objects     []Object
}

// Run runs the program for raw config against the recording engine. With preview, every output a provider
// computes is unknown, as in `pulumi preview`; bad config fails exactly as in `pulumi up`. The Result comes
// back with the error too, so a caller can see what was registered before the failure.
func Run(stack string, raw stacks.Raw, preview bool) (*Result, error) {
	rec := recorder.New(preview)
	res := &Result{Stack: stack, Rec: rec, Outputs: map[string]Output{}}
	// Every key the stack sets, as `pulumi up` hands them over in PULUMI_CONFIG (see stacks.SetKeyNames).
	names := make([]string, 0, len(raw.Values))
	for name := range raw.Values {
		names = append(names, name)
	}
	sort.Strings(names)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		cfg, err := stacks.LoadConfig(ctx, names)
		if err != nil {
			return err
		}
		outputs, err := stacks.Build(ctx, cfg)
		if err != nil {
			return err
		}
		for name, value := range outputs {
			res.Outputs[name] = await(value)
		}
		return nil
	}, pulumi.WithMocks(stacks.Namespace, stack, rec), withConfig(raw, preview))
	return res, err
}

// await resolves an output's value, knownness and secretness. IsSecret blocks until the output settles, known
// or not; the apply runs only when the value is known.
func await(input pulumi.Input) Output {
	out := pulumi.ToOutput(input)
	var got Output
	settled := out.ApplyT(func(v any) any {
		got.Value, got.Known = v, true
		return v
	})
	pulumi.IsSecret(settled)
	got.Secret = pulumi.IsSecret(out)
	return got
}

// withConfig hands the program its config the way the Pulumi language host does.
func withConfig(raw stacks.Raw, preview bool) pulumi.RunOption {
	return func(info *pulumi.RunInfo) {
		info.Config = map[string]string{}
		for key, value := range raw.Values {
			info.Config[stacks.Namespace+":"+key] = value
		}
		info.ConfigSecretKeys = nil
		for key, secret := range raw.Secrets {
			if secret {
				info.ConfigSecretKeys = append(info.ConfigSecretKeys, stacks.Namespace+":"+key)
			}
		}
		sort.Strings(info.ConfigSecretKeys)
		info.DryRun = preview
	}
}

// RunStack loads Pulumi.NAME.yaml from dir and runs it.
func RunStack(dir, stack string, preview bool) (*Result, error) {
	raw, err := LoadStack(dir, stack)
	if err != nil {
		return nil, err
	}
	return Run(stack, raw, preview)
}
