package engines

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/components/squid"
	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// Credentials the test configures; the program turns them into squid.conf's auth lines and the htpasswd Secret.
const (
	squidUser     = "egress"
	squidPassword = "s3cret-for-tests"
)

// renderedSquid is the program's squid.conf (ConfigMap squid-conf) and, with credentials, its htpasswd
// (Secret squid-htpasswd), keyed by the path the Deployment mounts it at; plus the configured destinations.
func renderedSquid(t *testing.T, withAuth bool) (conf string, files map[string]string, hosts []string) {
	t.Helper()
	var kv []string
	if withAuth {
		kv = []string{"squidUsername", squidUser, "squidPassword!", squidPassword}
	}
	r, cfg := renderStack(t, "squid", kv...)
	cm := object(t, r, "ConfigMap", "squid-conf")
	conf = cm["data"].(map[string]any)["squid.conf"].(string)
	files = map[string]string{}
	if withAuth {
		secret := object(t, r, "Secret", squid.HtpasswdSecret)
		files[squid.HtpasswdPath] = secret["stringData"].(map[string]any)["htpasswd"].(string)
	}
	for _, d := range cfg.Squid.Destinations {
		hosts = append(hosts, d.Host)
	}
	require.NotEmpty(t, hosts, "the squid stack configures no destination")
	return conf, files, hosts
}

func TestSquidParsesTheRenderedConf(t *testing.T) {
	SkipShort(t, "squid -k parse")
	for _, auth := range []bool{false, true} {
		conf, _, _ := renderedSquid(t, auth)
		require.NoError(t, SquidParse(t, conf), "auth=%v", auth)
	}
	// Negative control: Squid refuses a conf naming an ACL that does not exist.
	conf, _, _ := renderedSquid(t, true)
	broken := strings.Replace(conf, "http_access deny all", "http_access deny no_such_acl", 1)
	require.NotEqual(t, conf, broken, "the control must change the conf")
	err := SquidParse(t, broken)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no_such_acl")
}

// squidCase is one request and the status Squid must answer.
type squidCase struct {
	name    string
	source  string // 127.0.0.1 inside the ACL, 127.0.0.2 outside
	auth    string
	connect bool
	port    string
	want    int
	result  string // the access-log result code Squid must write
}

// url is the absolute-form URL a GET case asks for; Squid logs port 80 URLs without the port.
func (c squidCase) url(host string) string {
	if c.port == "80" {
		return "http://" + host + "/"
	}
	return "http://" + net.JoinHostPort(host, c.port) + "/"
}

func squidCases(withAuth bool) []squidCase {
	good := ""
	if withAuth {
		good = squidUser + ":" + squidPassword
	}
	cases := []squidCase{
		{"GET allowed", "127.0.0.1", good, false, "80", 200, "TCP_MISS"},
		{"CONNECT allowed", "127.0.0.1", good, true, "443", 200, "TCP_TUNNEL"},
		{"GET to a port outside the allowed set", "127.0.0.1", good, false, "8080", 403, "TCP_DENIED"},
		{"CONNECT to a port outside the allowed set", "127.0.0.1", good, true, "8443", 403, "TCP_DENIED"},
		{"GET from outside the ACL", "127.0.0.2", good, false, "80", 403, "TCP_DENIED"},
		{"CONNECT from outside the ACL", "127.0.0.2", good, true, "443", 403, "TCP_DENIED"},
	}
	if withAuth {
		cases = append(cases,
			squidCase{"GET without credentials", "127.0.0.1", "", false, "80", 407, "TCP_DENIED"},
			squidCase{"CONNECT without credentials", "127.0.0.1", "", true, "443", 407, "TCP_DENIED"},
			squidCase{"GET with a wrong password", "127.0.0.1", squidUser + ":wrong", false, "80", 407, "TCP_DENIED"},
			squidCase{"CONNECT with a wrong password", "127.0.0.1", squidUser + ":wrong", true, "443", 407, "TCP_DENIED"},
			squidCase{"CONNECT with an unknown user", "127.0.0.1", "mallory:" + squidPassword, true, "443", 407, "TCP_DENIED"},
		)
	}
	return cases
}

// runSquidCases sends every case through Squid and returns what went differently from the case's expectation.
func runSquidCases(t *testing.T, s *Squid, host string, dest destination, cases []squidCase) []string {
	t.Helper()
	var wrong []string
	for _, c := range cases {
		client := proxyClient{Proxy: s.Addr, Source: c.source, Auth: c.auth}
		var status int
		var body string
		if c.connect {
			status, body = client.Connect(t, net.JoinHostPort(host, c.port), dest.Roots)
		} else {
			status, body = client.Get(t, c.url(host))
		}
		if status != c.want {
			wrong = append(wrong, fmt.Sprintf("%s: status %d, want %d", c.name, status, c.want))
			continue
		}
		// An allowed request must have reached the destination, not been answered by Squid itself.
		if want := map[bool]string{false: httpBody, true: httpsBody}[c.connect]; c.want == 200 && body != want {
			wrong = append(wrong, fmt.Sprintf("%s: body %q, want the destination's %q", c.name, body, want))
		}
	}
	return wrong
}

func TestSquidDecidesAsConfigured(t *testing.T) {
	SkipShort(t, "Squid")
	for _, withAuth := range []bool{true, false} {
		t.Run(map[bool]string{true: "with credentials", false: "without credentials"}[withAuth], func(t *testing.T) {
			conf, files, hosts := renderedSquid(t, withAuth)
			dest := startDestination(t)
			host := hosts[0]
			s := StartSquid(t, conf, files, map[string]string{host: dest.IP})
			cases := squidCases(withAuth)
			assert.Empty(t, runSquidCases(t, s, host, dest, cases))

			// The squid-log check reads the lines Squid really wrote, one per request.
			log := s.AccessLog(t, len(cases))
			var entries []verify.SquidEntry
			for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
				e, err := verify.ParseSquidLine(line)
				require.NoError(t, err, "verify.ParseSquidLine on Squid's own line")
				entries = append(entries, e)
			}
			require.Len(t, entries, len(cases), "access.log:\n%s", log)
			// Squid writes a line when a transaction ends, so a tunnel closing can land after the next request's
			// line: compare as multisets of what each line says.
			var want, got []string
			for _, c := range cases {
				method, url := "GET", c.url(host)
				if c.connect {
					method, url = "CONNECT", net.JoinHostPort(host, c.port)
				}
				want = append(want, fmt.Sprintf("%s %s %s %s/%d", c.source, method, url, c.result, c.want))
			}
			for _, e := range entries {
				got = append(got, fmt.Sprintf("%s %s %s %s/%d", e.Client, e.Method, e.URL, e.Result, e.Status))
				assert.True(t, strings.EqualFold(host, e.Host()), "host %q in %s", e.Host(), e.Line)
			}
			assert.ElementsMatch(t, want, got, "access.log:\n%s", log)
			last, err := verify.LastSquidEntry(log, host, entries[0].Time)
			require.NoError(t, err)
			assert.Equal(t, entries[len(entries)-1].Line, last.Line)
		})
	}
}

// TestSquidProofCanFail runs the same cases against a conf whose allow rule admits everyone, the mistake the
// proof exists to catch: the outside source and the missing credentials must then come out wrong.
func TestSquidProofCanFail(t *testing.T) {
	SkipShort(t, "Squid")
	conf, files, hosts := renderedSquid(t, true)
	loose := regexp.MustCompile(`(?m)^http_access allow .*$`).ReplaceAllString(conf, "http_access allow all")
	require.NotEqual(t, conf, loose)
	dest := startDestination(t)
	s := StartSquid(t, loose, files, map[string]string{hosts[0]: dest.IP})
	wrong := runSquidCases(t, s, hosts[0], dest, squidCases(true))
	joined := strings.Join(wrong, "\n")
	assert.Contains(t, joined, "GET from outside the ACL: status 200, want 403")
	assert.Contains(t, joined, "CONNECT without credentials: status 200, want 407")
}
