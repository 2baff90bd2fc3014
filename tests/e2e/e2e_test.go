//go:build e2e

// Package e2e deploys each real stack with the Automation API on a machine with Docker and kind, proves it with
// the same checks as `make verify`, requires a clean re-preview, destroys it and requires nothing left behind.
//
//	go test -tags e2e -count=1 -timeout 120m ./tests/e2e/...
package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// Per stack: a cold kind cluster, Istio, gateway charts and image pulls, then verify, preview and destroy.
const stackTimeout = 55 * time.Minute

// A throwaway passphrase for a throwaway backend: nothing encrypted with it outlives the test.
const passphrase = "egress-mesh-e2e"

func TestStacks(t *testing.T) {
	for _, tool := range []string{"pulumi", "kind", "docker", "kubectl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the e2e suite needs %s on PATH: %v", tool, err)
		}
	}
	root := repoRoot(t)
	env := map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + t.TempDir(), // wins over Pulumi.yaml's backend.url
		"PULUMI_CONFIG_PASSPHRASE": passphrase,
		"PULUMI_SKIP_UPDATE_CHECK": "true",
	}
	// Sequential: two kind clusters with Istio at once is more than a laptop or CI runner holds.
	for _, stack := range []string{"dev", "squid"} {
		t.Run(stack, func(t *testing.T) { upVerifyDestroy(t, root, stack, env) })
	}
}

func upVerifyDestroy(t *testing.T, root, stackName string, env map[string]string) {
	ctx, cancel := context.WithTimeout(context.Background(), stackTimeout)
	defer cancel()
	keepStackFile(t, filepath.Join(root, "Pulumi."+stackName+".yaml"))

	stack, err := auto.UpsertStackLocalSource(ctx, stackName, root, auto.EnvVars(env))
	require.NoError(t, err)

	// Whatever fails below, do not leave a cluster and containers running.
	destroyed := false
	t.Cleanup(func() {
		if destroyed {
			return
		}
		cctx, ccancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer ccancel()
		if _, err := stack.Destroy(cctx, optdestroy.ProgressStreams(os.Stdout)); err != nil {
			t.Errorf("cleanup destroy of %s failed; remove it by hand (kind delete cluster, docker rm): %v", stackName, err)
		}
	})

	up, err := stack.Up(ctx, optup.ProgressStreams(os.Stdout))
	require.NoError(t, err, "pulumi up")

	raw := map[string]any{}
	for k, v := range up.Outputs {
		raw[k] = v.Value
	}
	outs, err := verify.OutputsFromMap(raw)
	require.NoError(t, err, "stack outputs must satisfy cmd/verify's contract")

	runChecks(ctx, t, outs)

	_, err = stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.Diff(), optpreview.ProgressStreams(os.Stdout))
	require.NoError(t, err, "a second preview right after up must show no changes")

	_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
	require.NoError(t, err, "pulumi destroy")
	destroyed = true

	// On an existing cluster the test writes the kubeconfig it gave the stack; kind stacks leave it "".
	requireNothingLeft(ctx, t, outs, existingKubeconfig(ctx, t, stack))
	require.NoError(t, stack.Workspace().RemoveStack(ctx, stackName))
}

// existingKubeconfig is, for a stack on an existing cluster, a file with the kubeconfig it was given ("" on kind).
func existingKubeconfig(ctx context.Context, t *testing.T, stack auto.Stack) string {
	mode, err := stack.GetConfig(ctx, "egress-mesh:cluster")
	if err != nil || mode.Value != "existing" {
		return ""
	}
	kc, err := stack.GetConfig(ctx, "egress-mesh:kubeconfig")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, []byte(kc.Value), 0o600))
	return path
}

// runChecks runs the checks of `make verify` in-process.
func runChecks(ctx context.Context, t *testing.T, outs verify.Outputs) {
	kubeconfig, cleanup, err := verify.WriteKubeconfig(outs.Kubeconfig)
	require.NoError(t, err)
	defer cleanup()
	checks, err := verify.Checks(outs.Verify)
	require.NoError(t, err)
	sum := verify.RunAll(ctx, verify.NewEnv(verify.ExecRunner{}, kubeconfig, outs.Verify), checks, os.Stdout)
	for _, r := range sum.Results {
		if r.Status == verify.Fail {
			t.Errorf("check %s: %s", r.Name, r.Evidence)
		}
	}
	require.True(t, sum.OK(), "verify checks failed")
}

func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	root, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "Pulumi.yaml"))
	return root
}

// keepStackFile restores the committed stack file afterwards: creating the stack in a fresh passphrase backend
// writes an encryptionsalt into it.
func keepStackFile(t *testing.T, path string) {
	orig, err := os.ReadFile(path)
	require.NoError(t, err, "the stack's config file is committed")
	t.Cleanup(func() {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Errorf("restoring %s: %v", path, err)
		}
	})
}
