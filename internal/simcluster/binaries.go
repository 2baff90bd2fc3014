package simcluster

import (
	"fmt"
	"os"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Environment variables that override the cached binaries hack/toolchain-binaries.sh writes.
const (
	EnvControllerManager = "EGRESS_MESH_KUBE_CONTROLLER_MANAGER"
	EnvScheduler         = "EGRESS_MESH_KUBE_SCHEDULER"
	EnvKwok              = "EGRESS_MESH_KWOK"
)

const buildHint = "hack/toolchain-binaries.sh (make toolchain)"

// The controller manager and scheduler come from the kube-apiserver's tools module, so they share its version.
func controllerManagerBinary() (string, error) {
	return controlplane.Binary(EnvControllerManager, "kube-controller-manager", versions.Kubernetes, buildHint)
}

func schedulerBinary() (string, error) {
	return controlplane.Binary(EnvScheduler, "kube-scheduler", versions.Kubernetes, buildHint)
}

func kwokBinary() (string, error) {
	return controlplane.Binary(EnvKwok, "kwok", versions.Kwok, buildHint)
}

// kwokStages is the stages file the build script writes beside the kwok binary: kwok v0.8.0 has no built-in
// stages, so without one it exits with "no stages found".
func kwokStages(kwok string) (string, error) {
	path := kwok + ".stages.yaml"
	if info, err := os.Stat(path); err != nil || info.Size() == 0 {
		return "", fmt.Errorf("kwok's stages not found at %s: run %s", path, buildHint)
	}
	return path, nil
}
