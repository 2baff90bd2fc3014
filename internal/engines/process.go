package engines

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// tempDir is a temp dir removed when the test ends.
func tempDir(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "egress-mesh-"+name+"-*")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// waitListening polls addr until it accepts a connection or the process exits.
func waitListening(p *controlplane.Process, addr string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			return c.Close()
		}
		if err := p.WaitOrExit(deadline); err != nil {
			return err
		}
	}
}

// stopLogging stops p, and shows its log when the test failed.
func stopLogging(t testing.TB, name string, p *controlplane.Process) {
	t.Helper()
	if t.Failed() {
		t.Logf("%s log tail:\n%s", name, p.LogTail())
	}
	if err := p.Stop(); err != nil {
		t.Errorf("stopping %s: %v", name, err)
	}
}
