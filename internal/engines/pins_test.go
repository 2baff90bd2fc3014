package engines

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/module"

	"github.com/egress-mesh/egress-mesh/internal/controlplane/proctest"
	"github.com/egress-mesh/egress-mesh/versions"
)

func toolsRequire(t *testing.T, tool, mod string) string {
	t.Helper()
	return proctest.RequiredVersion(t, filepath.Join("..", ".."), tool, mod)
}

// TestEnginePinsMatchTheProgram keeps each engine at the version the program deploys: the tools modules
// hack/engine-binaries.sh builds from, the cache names the runners look for, and versions.go.
func TestEnginePinsMatchTheProgram(t *testing.T) {
	// Kyverno: the CLI is the program's Kyverno release.
	assert.Equal(t, "v"+versions.Kyverno, KyvernoCLI, "versions.Kyverno")
	assert.Equal(t, KyvernoCLI, toolsRequire(t, "kyverno", "github.com/kyverno/kyverno"))

	// kyverno-authz: the proxy refuses the v0.4.0 tag; the commit served is the one Kyverno v1.19.0 requires,
	// and its pseudo-version says it descends from the pinned release.
	assert.Equal(t, KyvernoAuthzModule, toolsRequire(t, "kyverno", "github.com/kyverno/kyverno-authz"))
	base, err := module.PseudoVersionBase(KyvernoAuthzModule)
	require.NoError(t, err)
	assert.Equal(t, versions.KyvernoAuthzServer, base, "the served kyverno-authz commit must descend from the pinned server release")

	// Istio's sample: built from the served commit recorded against the pinned image's tag (README, "Decisions
	// executed by real engines"); moving the image pin means re-choosing the commit.
	assert.Equal(t, ExtAuthzModule, toolsRequire(t, "extauthz", "istio.io/istio"))
	assert.Equal(t, "gcr.io/istio-testing/ext-authz:1.25-dev", versions.ExtAuthzImage,
		"the image pin moved: choose the served istio.io/istio commit nearest it and update ExtAuthzModule and the README")

	// Squid: Debian's 5.7 stands in for the image's 6.6; the README lists what differs for the directives the
	// program writes. A new image pin means re-reading that list.
	tag := versions.SquidImage[strings.LastIndex(versions.SquidImage, ":")+1:]
	assert.True(t, strings.HasPrefix(tag, "6.6-"), "the Squid image moved from 6.6 (%s): recheck the 5.7 vs image differences in the README", tag)
}
