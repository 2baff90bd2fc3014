package controlplane

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/egress-mesh/egress-mesh/versions"
)

// The pins live in versions/versions.go; they must match tools/kube-apiserver/go.mod (which builds both: etcd is
// the server k8s.io/kubernetes requires), whose versions name the files hack/controlplane-binaries.sh writes
// (TestBinaryPinsMatchToolsModules keeps them in step).
const (
	KubeAPIServerVersion = versions.Kubernetes
	EtcdVersion          = versions.Etcd
)

// Environment variables that override the cached binaries, e.g. for a CI image that ships its own.
const (
	EnvKubeAPIServer = "EGRESS_MESH_KUBE_APISERVER"
	EnvEtcd          = "EGRESS_MESH_ETCD"
)

// BinDir mirrors the script's "${XDG_CACHE_HOME:-$HOME/.cache}/egress-mesh/bin".
func BinDir() (string, error) {
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "bin"), nil
}

// binary resolves the control plane's own binaries (see Binary).
func binary(env, name, version string) (string, error) {
	return Binary(env, name, version, "hack/controlplane-binaries.sh (make controlplane)")
}

// Binary resolves one executable from its env override or the version-keyed cache, failing with a message that
// says how to get it (build: the script or make target that writes it), because a missing binary is a setup step,
// not a bug.
func Binary(env, name, version, build string) (string, error) {
	path := os.Getenv(env)
	if path == "" {
		dir, err := BinDir()
		if err != nil {
			return "", fmt.Errorf("locating the binary cache: %w", err)
		}
		path = filepath.Join(dir, name+"-"+version)
	}
	info, err := os.Stat(path)
	if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s %s not found or not executable at %s: run %s to build it, or set %s",
			name, version, path, build, env)
	}
	return path, nil
}
