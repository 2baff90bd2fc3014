// Package pulumiengine runs Pulumi programs on the real engine for tests: the pinned CLI (through the Automation
// API), the Go language host and the locally built Kubernetes provider, with a local file backend, a passphrase
// secrets provider, a private PULUMI_HOME and TMPDIR, all in a temp dir removed when the test ends. Nothing is
// fetched: automatic plugin acquisition is off, so a plugin the program needs but the engine lacks fails loudly.
package pulumiengine

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"sigs.k8s.io/yaml"
)

// Engine is one private Pulumi installation: CLI, language host and plugins under a temp PULUMI_HOME.
type Engine struct {
	dir     string // temp root: bin/, home/, backend/, projects/
	command auto.PulumiCommand
	env     map[string]string
}

// New prepares an engine with the Kubernetes provider installed under the program's SDK version. repoRoot is the
// checkout whose go.mod names that version.
func New(t testing.TB, repoRoot string) *Engine {
	t.Helper()
	bins, err := findBinaries()
	if err != nil {
		t.Fatal(err)
	}
	pluginVersion, err := KubernetesPluginVersion(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e := &Engine{dir: dir}
	// The Automation API runs ROOT/bin/pulumi and puts that directory first on the program's PATH, which is where
	// the engine looks for pulumi-language-go.
	binDir := filepath.Join(dir, "bin")
	for _, d := range []string{binDir, filepath.Join(dir, "home"), filepath.Join(dir, "backend"),
		filepath.Join(dir, "projects"), e.TempDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(bins.pulumi, filepath.Join(binDir, "pulumi")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(binDir, "pulumi-language-go"), languageHostScript(bins.languageGo), 0o755); err != nil {
		t.Fatal(err)
	}
	e.env = map[string]string{
		"PULUMI_HOME":                                   filepath.Join(dir, "home"),
		"PULUMI_BACKEND_URL":                            "file://" + filepath.Join(dir, "backend"),
		"PULUMI_CONFIG_PASSPHRASE":                      "egress-mesh-test-passphrase", // protects throw-away state only
		"PULUMI_SKIP_UPDATE_CHECK":                      "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION":   "true",
		"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK":      "true",
		"PULUMI_SKIP_CONFIRMATIONS":                     "true",
		"PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS": "true",
		"PATH": binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		// The provider writes the kubeconfig it is given to os.CreateTemp("", "kubeconfig") for Helm and never
		// removes it (pkg/provider/util.go writeKubeconfigToFile, called from Configure): a file of cluster
		// credentials per provider start. Its TMPDIR is the engine's, so the test's cleanup takes them.
		"TMPDIR": e.TempDir(),
	}
	e.command, err = auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: dir, SkipVersionCheck: true})
	if err != nil {
		t.Fatalf("pulumi CLI at %s: %v", bins.pulumi, err)
	}
	if out, err := e.cli("plugin", "install", "resource", "kubernetes", pluginVersion, "--file", bins.kubernetesProvider); err != nil {
		t.Fatalf("installing the Kubernetes provider %s as %s: %v\n%s", bins.kubernetesProvider, pluginVersion, err, out)
	}
	return e
}

// TempDir is the TMPDIR of the CLI, language host and provider processes, removed with the engine.
func (e *Engine) TempDir() string { return filepath.Join(e.dir, "tmp") }

// cli runs the CLI directly, for the commands the Automation API does not wrap with a --file option.
func (e *Engine) cli(args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(e.dir, "bin", "pulumi"), args...)
	cmd.Env = os.Environ()
	for k, v := range e.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Plugins lists the installed plugins as "kind name version" lines, e.g. to show which providers an update needed.
func (e *Engine) Plugins() (string, error) { return e.cli("plugin", "ls") }

// Stack creates (or selects) stack name of the program in programDir. The project lives in a temp dir whose
// Pulumi.yaml points `main` at programDir, so the engine builds and runs the program where it is (its relative
// paths and go.mod apply) while stack files, config and state stay out of the checkout. When programDir has a
// Pulumi.yaml, it is carried over (its config schema and defaults apply) without its backend, so the state goes
// to the temp backend; otherwise project names a minimal Go project.
func (e *Engine) Stack(ctx context.Context, t testing.TB, programDir, project, name string, config auto.ConfigMap) *Stack {
	t.Helper()
	absProgram, err := filepath.Abs(programDir)
	if err != nil {
		t.Fatal(err)
	}
	projectDir := filepath.Join(e.dir, "projects", project+"-"+name)
	if err := os.MkdirAll(projectDir, 0o755); err != nil {
		t.Fatal(err)
	}
	main, err := filepath.Rel(projectDir, absProgram)
	if err != nil {
		t.Fatal(err)
	}
	projectYAML, err := projectFile(absProgram, project, main)
	if err != nil {
		t.Fatal(err)
	}
	program := e.programBinary(t, absProgram)
	if projectYAML, err = withBinary(projectYAML, program); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(projectDir, "Pulumi.yaml"), projectYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{envProgramBinary: program}
	for k, v := range e.env {
		env[k] = v
	}
	s, err := auto.UpsertStackLocalSource(ctx, name, projectDir, auto.Pulumi(e.command), auto.EnvVars(env),
		auto.PulumiHome(e.env["PULUMI_HOME"]))
	if err != nil {
		t.Fatalf("creating stack %s: %v", name, err)
	}
	st := &Stack{stack: s, engine: e, program: program}
	if err := st.SetConfig(ctx, config); err != nil {
		t.Fatal(err)
	}
	return st
}

// projectFile is programDir's Pulumi.yaml with main pointing at it and its backend removed, or a minimal Go
// project named project when there is none.
func projectFile(programDir, project, main string) ([]byte, error) {
	settings := map[string]any{"name": project, "runtime": "go"}
	b, err := os.ReadFile(filepath.Join(programDir, "Pulumi.yaml"))
	switch {
	case err == nil:
		settings = map[string]any{}
		if err := yaml.Unmarshal(b, &settings); err != nil {
			return nil, fmt.Errorf("parsing %s/Pulumi.yaml: %w", programDir, err)
		}
		delete(settings, "backend") // it would take precedence over the temp backend
	case !os.IsNotExist(err):
		return nil, err
	}
	settings["main"] = main
	return yaml.Marshal(settings)
}

// programBinary builds the Go program in dir once per engine. The language host would otherwise run `go build`
// before every preview, up and destroy (tens of seconds each for this program); with runtime option `binary` it
// runs the built program, which is how CI pipelines that build once and deploy many times use Pulumi.
func (e *Engine) programBinary(t testing.TB, dir string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(dir))
	out := filepath.Join(e.dir, "bin", fmt.Sprintf("program-%s-%x", filepath.Base(dir), sum[:4]))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the program in %s: %v\n%s", dir, err, b)
	}
	return out
}

// envProgramBinary carries a stack's prebuilt program to the language host script.
const envProgramBinary = "EGRESS_MESH_PROGRAM_BINARY"

// languageHostScript is the pulumi-language-go the engine finds on PATH: the pinned host, given the stack's
// prebuilt program as its -binary flag. The CLI (v3.274.1) passes runtime options only inside its run request
// (buildArgsForNewPlugin in sdk/go/common/resource/plugin/langruntime_plugin.go sends no options as flags), and
// this host (v3.66.0) reads `binary` only from its -binary flag, so without the flag it ignores the Pulumi.yaml
// option and runs `go build` and a link of the whole program before every preview, up and destroy.
func languageHostScript(host string) []byte {
	return []byte(fmt.Sprintf(`#!/bin/sh
if [ -n "$%[1]s" ]; then exec %[2]q -binary "$%[1]s" "$@"; fi
exec %[2]q "$@"
`, envProgramBinary, host))
}

// withBinary sets the project's runtime to go with the prebuilt binary (read by hosts newer than the pinned one).
func withBinary(projectYAML []byte, binary string) ([]byte, error) {
	settings := map[string]any{}
	if err := yaml.Unmarshal(projectYAML, &settings); err != nil {
		return nil, err
	}
	settings["runtime"] = map[string]any{"name": "go", "options": map[string]any{"binary": binary}}
	return yaml.Marshal(settings)
}
