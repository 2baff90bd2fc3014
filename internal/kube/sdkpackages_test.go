package kube

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/versions"
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

// sdkFields are the `pulumi:"..."` property names the SDK module's file declares: the names its provider reads.
func sdkFields(t *testing.T, file string) map[string]bool {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi-kubernetes/sdk/v4").Output()
	require.NoError(t, err)
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "go", "kubernetes", file))
	require.NoError(t, err)
	fields := map[string]bool{}
	for _, m := range regexp.MustCompile(`pulumi:"(\w+)"`).FindAllStringSubmatch(string(src), -1) {
		fields[m[1]] = true
	}
	return fields
}

// TestRegisteredPropertiesAreTheSDKs: a misspelt property would reach the provider and be ignored, so every
// property the program registers must be one the SDK's own argument types declare. The Release comes from an
// upstream chart source, the one that sets repositoryOpts.
func TestRegisteredPropertiesAreTheSDKs(t *testing.T) {
	rec := recorder.New(false)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if _, err := NewRelease(ctx, "r", Target{}.ReleaseArgs(versions.KyvernoChart, "kyverno", "kyverno", pulumi.Map{})); err != nil {
			return err
		}
		if _, err := NewConfigFile(ctx, "f", "crds.yaml"); err != nil {
			return err
		}
		_, err := NewConfigGroup(ctx, "g", []string{"*.yaml"})
		return err
	}, pulumi.WithMocks("p", "s", rec))
	require.NoError(t, err)

	release, repoOpts := sdkFields(t, "helm/v3/release.go"), sdkFields(t, "helm/v3/pulumiTypes.go")
	inputs := func(typ string) resource.PropertyMap {
		found := rec.OfType(typ)
		require.Len(t, found, 1, typ)
		return found[0].Inputs
	}
	check := func(typ string, declared map[string]bool, props resource.PropertyMap) {
		require.NotEmpty(t, props, typ)
		for k := range props {
			assert.True(t, declared[string(k)], "%s: %q is not a property the SDK declares", typ, k)
		}
	}
	props := inputs(typeRelease)
	require.Contains(t, props, resource.PropertyKey("repositoryOpts"))
	check(typeRelease, release, props)
	check(typeRelease+" repositoryOpts", repoOpts, props["repositoryOpts"].ObjectValue())
	check(typeConfigFile, sdkFields(t, "yaml/v2/configFile.go"), inputs(typeConfigFile))
	check(typeConfigGroup, sdkFields(t, "yaml/v2/configGroup.go"), inputs(typeConfigGroup))

	// Control: a misspelling is not among the declared names.
	assert.False(t, release["repositoryOpt"])
	assert.False(t, sdkFields(t, "yaml/v2/configFile.go")["files"], "ConfigFile takes one file, not files")
}
