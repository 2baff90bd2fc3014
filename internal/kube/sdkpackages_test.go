package kube

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sdkAPIPackages = "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/"

// sdkPackagesBuiltFor lists the pulumi-kubernetes SDK packages `go build` compiles for pkgs.
func sdkPackagesBuiltFor(t *testing.T, pkgs ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)...)
	out, err := cmd.Output()
	require.NoError(t, err, "go list %v", pkgs)
	var sdk []string
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, sdkAPIPackages) {
			sdk = append(sdk, strings.TrimPrefix(p, sdkAPIPackages))
		}
	}
	return sdk
}

// TestProgramSkipsTheSDKsKindTables keeps the program (and so every `pulumi up`, which builds it) from compiling
// the SDK's packages for every API group: only the groups the program creates objects of, and no yaml package.
func TestProgramSkipsTheSDKsKindTables(t *testing.T) {
	built := sdkPackagesBuiltFor(t, "github.com/egress-mesh/egress-mesh")
	assert.Less(t, len(built), 12, "SDK packages the program compiles: %v", built)
	for _, p := range built {
		assert.False(t, strings.HasPrefix(p, "yaml"), "the program compiles the SDK's %s package, which imports every API group", p)
	}

	// Control: the SDK's own helm/v3 and yaml/v2 packages would bring in every API group.
	for _, pkg := range []string{"helm/v3", "yaml/v2"} {
		assert.Greater(t, len(sdkPackagesBuiltFor(t, sdkAPIPackages+pkg)), 60, pkg)
	}
}
