package engines

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// SquidParse runs `squid -k parse` on conf: Squid's own reading of the file, the check it makes at start-up.
// The error carries Squid's output.
func SquidParse(t testing.TB, conf string) error {
	t.Helper()
	dir := tempDir(t, "squid-parse")
	path := filepath.Join(dir, "squid.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(SquidBinary(t), "-k", "parse", "-f", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("squid -k parse: %v\n%s", err, out)
	}
	return nil
}

// Squid is a running Squid.
type Squid struct {
	Addr string // 127.0.0.1:<port>
	dir  string
	proc *controlplane.Process
}

// StartSquid runs Squid in the foreground (-N) with the program's conf, rewritten by LoopbackSquid for a temp
// dir and a loopback port; files are written into the temp dir and named in Files. Squid and its helpers (auth,
// log daemon, pinger) are stopped in t.Cleanup.
func StartSquid(t testing.TB, conf string, files, hosts map[string]string) *Squid {
	t.Helper()
	bin := SquidBinary(t)
	dir := tempDir(t, "squid")
	ports, err := controlplane.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	over := LoopbackSquid{Listen: "127.0.0.1:" + strconv.Itoa(ports[0]), Dir: dir, Sources: "127.0.0.1/32",
		Files: map[string]string{}, Hosts: hosts}
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for containerPath, content := range files {
		over.Files[containerPath] = write(filepath.Base(containerPath), content)
	}
	write("hosts", over.HostsFile())
	run, err := over.Rewrite(conf)
	if err != nil {
		t.Fatal(err)
	}
	path := write("squid.conf", run)
	proc, err := controlplane.StartProcess("squid", filepath.Join(dir, "squid.out"), bin, "-N", "-f", path)
	if err != nil {
		t.Fatal(err)
	}
	s := &Squid{Addr: over.Listen, dir: dir, proc: proc}
	t.Cleanup(func() { stopLogging(t, "squid", proc) })
	if err := waitListening(proc, s.Addr); err != nil {
		t.Fatalf("squid did not start: %v\nconf:\n%s\nlog:\n%s\ncache.log:\n%s", err, run, proc.LogTail(), s.file("cache.log"))
	}
	return s
}

// AccessLog is what Squid has written to its access log so far (the log daemon writes asynchronously: wait for
// want lines or 10 s).
func (s *Squid) AccessLog(t testing.TB, want int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log := s.file("access.log")
		if lines(log) >= want || time.Now().After(deadline) {
			return log
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Squid) file(name string) string {
	b, _ := os.ReadFile(filepath.Join(s.dir, name))
	return string(b)
}

func lines(s string) int {
	n := 0
	for _, c := range s {
		if c == '\n' {
			n++
		}
	}
	return n
}

// tempDir is a world-readable temp dir: Squid started as root drops to Debian's `proxy` user, which must read
// the conf and htpasswd and write the logs there.
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
