package engines

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// ExtAuthz is a running Istio sample ext-authz server.
type ExtAuthz struct {
	GRPC string // 127.0.0.1:<port> of the Envoy ext_authz v3 gRPC API
	proc *controlplane.Process
}

// StartExtAuthz runs the sample with the flags the program's Deployment gives it (none: the image's defaults)
// except the two ports, which must be free ones here. The sample listens on every address (":port"); the test
// only ever connects to 127.0.0.1.
func StartExtAuthz(t testing.TB) *ExtAuthz {
	t.Helper()
	bin := ExtAuthzBinary(t)
	dir := tempDir(t, "extauthz")
	ports, err := controlplane.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	proc, err := controlplane.StartProcess("extauthz", filepath.Join(dir, "extauthz.log"), bin,
		"-grpc", strconv.Itoa(ports[0]), "-http", strconv.Itoa(ports[1]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopLogging(t, "extauthz", proc) })
	e := &ExtAuthz{GRPC: "127.0.0.1:" + strconv.Itoa(ports[0]), proc: proc}
	if err := waitListening(proc, e.GRPC); err != nil {
		t.Fatalf("ext-authz server did not start: %v\n%s", err, proc.LogTail())
	}
	return e
}

// Log is everything the server printed (its decisions among them).
func (e *ExtAuthz) Log(t testing.TB) string {
	t.Helper()
	s, err := e.proc.Log()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
