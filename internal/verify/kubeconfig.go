package verify

import (
	"fmt"
	"os"
)

// WriteKubeconfig puts a kubeconfig in a temp file only this user can read, for kubectl --kubeconfig; cleanup
// deletes it. The content is a cluster credential: it never goes on a command line or into the environment.
func WriteKubeconfig(content string) (path string, cleanup func(), err error) {
	f, err := os.CreateTemp("", "egress-mesh-kubeconfig-*.yaml")
	if err != nil {
		return "", nil, fmt.Errorf("kubeconfig temp file: %w", err)
	}
	cleanup = func() { _ = os.Remove(f.Name()) }
	// CreateTemp already uses 0600; say so explicitly rather than rely on it.
	if err = f.Chmod(0o600); err == nil {
		_, err = f.WriteString(content)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("kubeconfig temp file: %w", err)
	}
	return f.Name(), cleanup, nil
}
