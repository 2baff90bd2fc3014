package squid

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
)

// squidBinary finds the real Squid. It is not optional outside -short: a missing engine fails with how to get it.
func squidBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the real Squid decision check was skipped (run without -short, as CI does)")
	}
	for _, p := range []string{os.Getenv("SQUID_BIN"), "/usr/sbin/squid"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("squid"); err == nil {
		return p
	}
	t.Fatal("no squid binary: install it with `apt-get install -y squid` (Debian), or set SQUID_BIN")
	return ""
}

// squidUnderTest runs the real Squid on loopback with conf as Conf renders it, changed only where a test
// process must differ from the container: the listening address, the log and state files, the htpasswd path.
type squidUnderTest struct {
	addr, dir string
}

// htpasswd, when set, is the password file (basic_ncsa_auth needs it at start).
func startSquid(t *testing.T, conf, htpasswd string) *squidUnderTest {
	t.Helper()
	bin := squidBinary(t)
	// Squid started as root drops to its cache_effective_user, which must reach the files here: t.TempDir's
	// parent is 0700, so a directory of its own directly under the system's temp dir.
	dir, err := os.MkdirTemp("", "squid-engine-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777))
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	conf = replaceLine(t, conf, fmt.Sprintf("http_port %d", Port), "http_port "+addr)
	conf = replaceLine(t, conf, "access_log daemon:/var/log/squid/access.log squid", "access_log stdio:"+filepath.Join(dir, "access.log")+" squid")
	conf = replaceLine(t, conf, "coredump_dir /var/spool/squid", "coredump_dir "+dir)
	conf = strings.ReplaceAll(conf, HtpasswdPath, filepath.Join(dir, "htpasswd"))
	conf += fmt.Sprintf("pid_filename %s/squid.pid\ncache_log %s/cache.log\nvisible_hostname localhost\nshutdown_lifetime 0 seconds\n", dir, dir)
	path := filepath.Join(dir, "squid.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	if htpasswd != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(htpasswd), 0o644))
	}

	parse, err := exec.Command(bin, "-k", "parse", "-f", path).CombinedOutput()
	require.NoError(t, err, "squid -k parse:\n%s", parse)
	for _, l := range strings.Split(string(parse), "\n") {
		assert.NotContains(t, strings.ToUpper(l), "ERROR", "squid -k parse: %s", l)
	}

	cmd := exec.Command(bin, "-N", "-f", path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logFile, err := os.Create(filepath.Join(dir, "stdout.log"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its process group: Squid and its helpers
		_ = cmd.Wait()
		logFile.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cacheLog, _ := os.ReadFile(filepath.Join(dir, "cache.log"))
			out, _ := os.ReadFile(filepath.Join(dir, "stdout.log"))
			t.Fatalf("squid did not listen on %s within 30s: %v\n%s\n%s", addr, err, cacheLog, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &squidUnderTest{addr: addr, dir: dir}
}

func replaceLine(t *testing.T, conf, old, new string) string {
	t.Helper()
	require.Contains(t, conf, "\n"+old+"\n", "Conf no longer has %q: update the test harness", old)
	return strings.Replace(conf, "\n"+old+"\n", "\n"+new+"\n", 1)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ask sends one request line through Squid from source (a loopback address) and returns Squid's status code:
// for CONNECT, Squid's own answer; otherwise the upstream's (or Squid's refusal).
func (s *squidUnderTest) ask(t *testing.T, source, method, target, auth string) int {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	c, err := d.DialContext(context.Background(), "tcp", s.addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	host := target
	if method != "CONNECT" {
		host = strings.SplitN(strings.TrimPrefix(target, "http://"), "/", 2)[0]
	}
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	if auth != "" {
		req += "Proxy-Authorization: Basic " + auth + "\r\n"
	}
	_, err = c.Write([]byte(req + "\r\n"))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	require.NoError(t, err, "%s %s", method, target)
	resp.Body.Close()
	return resp.StatusCode
}

// upstreams are a plain-HTTP server and a bare TCP listener (what a TLS destination's CONNECT reaches), both
// on loopback: nothing leaves the machine.
func upstreams(t *testing.T) (plainPort, tlsPort int) {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) })}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l) //nolint:errcheck // closed below
	t.Cleanup(func() { srv.Close() })
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() {
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { tl.Close() })
	return l.Addr().(*net.TCPAddr).Port, tl.Addr().(*net.TCPAddr).Port
}

// The rendered configuration, run by the real Squid, decides as the gateway needs: its plain destination as an
// absolute-form GET, its TLS destination as CONNECT, and nothing else; no other source. The refusals are the
// negative controls of the allowed requests (same Squid, same destinations, one thing changed each).
func TestRealSquidEnforcesTheRenderedRules(t *testing.T) {
	plain, tls := upstreams(t)
	dests := []agentgateway.Destination{
		{Host: "127.0.0.1", Port: plain},          // plain, an address (dst -n)
		{Host: "localhost", Port: tls, TLS: true}, // TLS, a name (dstdomain -n)
	}
	s := startSquid(t, Conf([]string{"127.0.0.1/32"}, dests, false), "")
	plainURL := fmt.Sprintf("http://127.0.0.1:%d/headers", plain)
	connect := fmt.Sprintf("localhost:%d", tls)

	for _, c := range []struct {
		name, source, method, target string
		want                         int
	}{
		{"plain destination, absolute-form GET", "127.0.0.1", "GET", plainURL, 299}, // the upstream's own status
		{"TLS destination, CONNECT", "127.0.0.1", "CONNECT", connect, 200},
		{"plain destination tunnelled", "127.0.0.1", "CONNECT", fmt.Sprintf("127.0.0.1:%d", plain), 403},
		{"TLS destination in plain HTTP", "127.0.0.1", "GET", "http://" + connect + "/", 403},
		{"plain host on another port", "127.0.0.1", "GET", fmt.Sprintf("http://127.0.0.1:%d/", tls), 403},
		{"TLS host tunnelled to another port", "127.0.0.1", "CONNECT", fmt.Sprintf("localhost:%d", plain), 403},
		{"a host not listed", "127.0.0.1", "GET", "http://example.invalid/", 403},
		{"a source outside egress_clients", "127.0.0.2", "GET", plainURL, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, s.ask(t, c.source, c.method, c.target, ""))
		})
	}
	log, err := os.ReadFile(filepath.Join(s.dir, "access.log"))
	require.NoError(t, err)
	assert.Contains(t, string(log), " TCP_TUNNEL/200 ", "a TLS destination is logged as a tunnel")
	assert.Contains(t, string(log), " CONNECT "+connect+" ", "the squid-log check for TLS looks for this")
}

// With credentials, the same destination needs the user the gateway sends as Proxy-Authorization: Basic.
func TestRealSquidRequiresTheProxyUser(t *testing.T) {
	plain, _ := upstreams(t)
	s := startSquid(t, Conf([]string{"127.0.0.1/32"}, []agentgateway.Destination{{Host: "127.0.0.1", Port: plain}}, true),
		htpasswdLine("egress", password, htpasswdSalt("egress-mesh", "test", "egress"))) // the salt a stack derives
	url := fmt.Sprintf("http://127.0.0.1:%d/", plain)
	basic := func(user, pw string) string { return base64.StdEncoding.EncodeToString([]byte(user + ":" + pw)) }

	assert.Equal(t, 407, s.ask(t, "127.0.0.1", "GET", url, ""), "no credentials")
	assert.Equal(t, 407, s.ask(t, "127.0.0.1", "GET", url, basic("egress", "wrong")), "wrong password")
	assert.Equal(t, 299, s.ask(t, "127.0.0.1", "GET", url, basic("egress", password)), "the gateway's credentials")
	assert.Equal(t, 403, s.ask(t, "127.0.0.2", "GET", url, basic("egress", password)), "refused by source before any challenge")
}
