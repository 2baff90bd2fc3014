package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeKubectl records its --kubeconfig argument and then hangs, as a slow `kubectl exec` would.
const fakeKubectl = `#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = "--kubeconfig" ]; then echo "$2" > "$RECORD"; fi
  shift
done
exec sleep 60
`

// The real binary, a real signal: whichever catchable signal ends the run, verify stops the check under way,
// prints the summary, deletes the kubeconfig file and exits 1. Before the fix SIGHUP and SIGQUIT killed it with
// the file (a cluster credential) left behind.
func TestEveryCatchableSignalCleansUp(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "verify")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kubectl"), []byte(fakeKubectl), 0o755))
	outputs := writeOutputs(t, outputsJSON)

	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			record := filepath.Join(t.TempDir(), "kubeconfig-path")
			cmd := exec.Command(bin, "--outputs", outputs)
			cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "RECORD="+record)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			kubeconfig := waitForFile(t, record)
			_, err := os.Stat(kubeconfig)
			require.NoError(t, err, "the kubeconfig exists while checks run")

			require.NoError(t, cmd.Process.Signal(sig))
			err = cmd.Wait()
			var exitErr *exec.ExitError
			require.True(t, errors.As(err, &exitErr), "verify must exit, got %v; stderr: %s", err, stderr.String())
			assert.Equal(t, exitFailed, exitErr.ExitCode(), "exit 1, not death by %s; stdout: %s", sig, stdout.String())
			assert.Contains(t, stdout.String(), "(interrupted)")
			_, err = os.Stat(kubeconfig)
			assert.True(t, errors.Is(err, os.ErrNotExist), "kubeconfig %s must be deleted after %s", kubeconfig, sig)
		})
	}
}

func waitForFile(t *testing.T, path string) string {
	t.Helper()
	for i := 0; i < 200; i++ {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the fake kubectl never ran (no %s)", path)
	return ""
}
