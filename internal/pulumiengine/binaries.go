package pulumiengine

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Environment variables that override the cached binaries hack/toolchain-binaries.sh writes.
const (
	EnvPulumi             = "EGRESS_MESH_PULUMI"
	EnvLanguageGo         = "EGRESS_MESH_PULUMI_LANGUAGE_GO"
	EnvKubernetesProvider = "EGRESS_MESH_PULUMI_RESOURCE_KUBERNETES"
)

const buildHint = "hack/toolchain-binaries.sh (make toolchain)"

// kubernetesSDK is the module whose version the program asks the engine for; the provider is registered under it.
const kubernetesSDK = "github.com/pulumi/pulumi-kubernetes/sdk/v4"

// binaries are the three executables the engine needs: the CLI, the Go language host (found on PATH by the engine)
// and the Kubernetes provider (installed as a plugin).
type binaries struct {
	pulumi, languageGo, kubernetesProvider string
}

func findBinaries() (binaries, error) {
	var b binaries
	var err error
	if b.pulumi, err = controlplane.Binary(EnvPulumi, "pulumi", versions.PulumiCLI, buildHint); err != nil {
		return b, err
	}
	if b.languageGo, err = controlplane.Binary(EnvLanguageGo, "pulumi-language-go", versions.PulumiLanguageGo, buildHint); err != nil {
		return b, err
	}
	b.kubernetesProvider, err = controlplane.Binary(EnvKubernetesProvider, "pulumi-resource-kubernetes",
		versions.PulumiKubernetesProviderBuild, buildHint)
	return b, err
}

// KubernetesPluginVersion is the pulumi-kubernetes SDK version the program's go.mod requires (e.g. v4.33.0): the
// SDK asks the engine for a provider of exactly that version, so the locally built provider is installed as it.
// Read from go.mod rather than written down again, so an SDK bump cannot leave the plugin behind.
func KubernetesPluginVersion(repoRoot string) (string, error) {
	path := filepath.Join(repoRoot, "go.mod")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	f, err := modfile.Parse(path, b, nil)
	if err != nil {
		return "", err
	}
	for _, r := range f.Require {
		if r.Mod.Path == kubernetesSDK {
			return r.Mod.Version, nil
		}
	}
	return "", fmt.Errorf("%s does not require %s", path, kubernetesSDK)
}
