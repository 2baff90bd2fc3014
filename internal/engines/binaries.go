package engines

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// Versions of the Go-built engines. tools/<engine>/go.mod requires the same (TestEnginePinsMatchToolsModules),
// and hack/engine-binaries.sh names the cached files after them.
const (
	// KyvernoCLI is cmd/cli/kubectl-kyverno of github.com/kyverno/kyverno, "v" + versions.Kyverno.
	KyvernoCLI = "v1.19.0"
	// KyvernoAuthzModule is the kyverno-authz commit the Go module proxy serves: the one Kyverno v1.19.0's go.mod
	// requires. Its base is v0.4.0 (the pinned server release, refused by the proxy); see README.
	KyvernoAuthzModule = "v0.4.1-0.20260701230957-9101a3ffd44f"
	// ExtAuthzModule is istio.io/istio at the served pseudo-version nearest the pinned image's 1.25-dev.
	ExtAuthzModule = "v0.0.0-20260423205519-b01690e6db7d"
	// SquidDebian is the Squid Debian 12 ships (`apt-get install squid`); the program's image runs 6.x.
	SquidDebian = "5.7"
)

// Overrides for the cached binaries.
const (
	EnvKyverno      = "EGRESS_MESH_KYVERNO"
	EnvKyvernoAuthz = "EGRESS_MESH_KYVERNO_AUTHZ"
	EnvExtAuthz     = "EGRESS_MESH_EXTAUTHZ"
	EnvSquid        = "EGRESS_MESH_SQUID"
)

const buildHow = "hack/engine-binaries.sh (make engines)"

// SkipShort skips an engine run under -short, saying which engine was skipped.
func SkipShort(t testing.TB, engine string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: not running %s (the real engine); run without -short after `make engines`", engine)
	}
}

// KyvernoBinary is the Kyverno CLI; a missing one fails the test with how to build it.
func KyvernoBinary(t testing.TB) string {
	return mustBinary(t, EnvKyverno, "kyverno", KyvernoCLI)
}

// ExtAuthzBinary is Istio's sample ext-authz server.
func ExtAuthzBinary(t testing.TB) string {
	return mustBinary(t, EnvExtAuthz, "extauthz", ExtAuthzModule)
}

func mustBinary(t testing.TB, env, name, version string) string {
	t.Helper()
	path, err := controlplane.Binary(env, name, version, buildHow)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// SquidBinary is Debian's squid at SquidDebian, from PATH, /usr/sbin or EGRESS_MESH_SQUID.
func SquidBinary(t testing.TB) string {
	t.Helper()
	path, err := squidBinary()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func squidBinary() (string, error) {
	path := os.Getenv(EnvSquid)
	if path == "" {
		var err error
		if path, err = exec.LookPath("squid"); err != nil {
			path = "/usr/sbin/squid"
		}
	}
	out, err := exec.Command(path, "-v").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("squid not found at %s (%v): `apt-get install squid` (bash .ci/run does), or set %s", path, err, EnvSquid)
	}
	// First line: "Squid Cache: Version 5.7".
	first, _, _ := strings.Cut(string(out), "\n")
	if !strings.HasSuffix(strings.TrimSpace(first), "Version "+SquidDebian) {
		return "", fmt.Errorf("%s reports %q, want Squid %s (Debian 12's package; update SquidDebian and the README "+
			"section on Squid differences if the distribution moved)", path, strings.TrimSpace(first), SquidDebian)
	}
	return path, nil
}
