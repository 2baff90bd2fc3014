package engines

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"
)

// KyvernoApply runs `kyverno apply` (the CLI at KyvernoCLI) with policy against resources, each written to its
// own file; crds (files of CustomResourceDefinitions) tell the CLI the resource names of custom kinds, which a
// ValidatingPolicy's matchConstraints name. err is non-nil when Kyverno exits non-zero, which it does when any
// resource violates the policy (cmd/cli/kubectl-kyverno/commands/apply/command.go: "policy violations").
func KyvernoApply(t testing.TB, policy map[string]any, crds []string, resources ...map[string]any) (string, error) {
	t.Helper()
	dir := tempDir(t, "kyverno")
	args := []string{"apply", writeYAML(t, dir, "policy.yaml", policy), "--remove-color", "--detailed-results"}
	for _, crd := range crds {
		args = append(args, "--crd-paths", crd)
	}
	for i, r := range resources {
		args = append(args, "--resource", writeYAML(t, dir, fmt.Sprintf("resource-%d.yaml", i), r))
	}
	return runKyverno(t, dir, args)
}

func runKyverno(t testing.TB, dir string, args []string) (string, error) {
	t.Helper()
	cmd := exec.Command(KyvernoBinary(t), args...)
	cmd.Dir = dir
	// No kubeconfig, no cluster: the CLI evaluates offline.
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(dir, "no-kubeconfig"), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeYAML(t testing.TB, dir, name string, obj map[string]any) string {
	t.Helper()
	b, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
