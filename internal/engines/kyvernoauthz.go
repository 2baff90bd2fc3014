package engines

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// kyvernoAuthzRunner is the source of the runner around kyverno-authz's server packages; its hash is part of the
// cache key (hack/engine-binaries.sh).
const kyvernoAuthzRunner = "tools/kyverno/authzserver/main.go"

// KyvernoAuthzBinary is kyverno-authz's Envoy authz server at KyvernoAuthzModule (tools/kyverno/authzserver).
func KyvernoAuthzBinary(t testing.TB) string {
	t.Helper()
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, kyvernoAuthzRunner))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(src)
	return mustBinary(t, EnvKyvernoAuthz, "kyverno-authz", KyvernoAuthzModule+"-"+hex.EncodeToString(sum[:])[:12])
}

// KyvernoAuthz is a running kyverno-authz Envoy authz server.
type KyvernoAuthz struct {
	GRPC   string // 127.0.0.1:<port> of the Envoy ext_authz v3 gRPC API
	Loaded int    // policies its file loader loaded
	proc   *controlplane.Process
}

var loadedLine = regexp.MustCompile(`(?m)^loaded (\d+) policies$`)

// StartKyvernoAuthz runs the server on the policy files in dir, as the program's Deployment runs it on the
// mounted ConfigMap (--kube-policy-source=false --external-policy-source=file://<dir>).
func StartKyvernoAuthz(t testing.TB, dir string) *KyvernoAuthz {
	t.Helper()
	bin := KyvernoAuthzBinary(t)
	ports, err := controlplane.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	proc, err := controlplane.StartProcess("kyverno-authz", filepath.Join(tempDir(t, "kyverno-authz"), "server.log"), bin,
		"--policies", dir, "--grpc-address", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopLogging(t, "kyverno-authz", proc) })
	if err := waitListening(proc, addr); err != nil {
		t.Fatalf("kyverno-authz server did not start: %v\n%s", err, proc.LogTail())
	}
	log, err := proc.Log()
	if err != nil {
		t.Fatal(err)
	}
	m := loadedLine.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("kyverno-authz server printed no policy count:\n%s", log)
	}
	n, _ := strconv.Atoi(m[1])
	return &KyvernoAuthz{GRPC: addr, Loaded: n, proc: proc}
}

// ConfigMapVolume lays files out as kubelet's AtomicWriter lays out a ConfigMap volume
// (pkg/volume/util/atomic_writer.go): the files in a timestamped directory, a "..data" symlink to it, and one
// symlink per key to "..data/<key>". The server walks the mount, so it sees this layout, not a flat directory.
func ConfigMapVolume(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := tempDir(t, "configmap-volume")
	ts := "..2026_12_02_00_00_00.000000001"
	if err := os.Mkdir(filepath.Join(dir, ts), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, ts, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(ts, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(fmt.Errorf("linking %s: %w", name, err))
		}
	}
	return dir
}
