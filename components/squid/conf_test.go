package squid

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
)

// accessRules are the http_access lines in order: Squid applies the first that matches.
func accessRules(conf string) []string {
	var out []string
	for _, l := range strings.Split(conf, "\n") {
		if strings.HasPrefix(l, "http_access ") {
			out = append(out, l)
		}
	}
	return out
}

// mixed is one destination of each kind agentgateway tunnels differently.
var mixed = []agentgateway.Destination{
	{Host: "httpbingo.org", Port: 80},
	{Host: "api.example.com", Port: 443, TLS: true},
	{Host: "10.1.2.3", Port: 8080},
}

// agentgateway v1.4.1 (crates/agentgateway/src/client/mod.rs, Connector::connect) sends plain HTTP through the
// tunnel "in absolute form" (a GET, never CONNECT) and TLS with "CONNECT for non-plaintext HTTP": each
// destination is allowed in exactly that one way, on its own port, and nothing else is.
func TestConfAllowsEachDestinationOnlyTheWayTheGatewayUsesIt(t *testing.T) {
	conf := Conf([]string{"10.244.0.0/16"}, mixed, false)
	assert.Contains(t, conf, "\nhttp_port 3128\n")
	assert.Contains(t, conf, "\nacl egress_clients src 10.244.0.0/16\n")
	assert.Contains(t, conf, "\nacl dest_1 dstdomain -n httpbingo.org\n")
	assert.Contains(t, conf, "\nacl dest_2 dstdomain -n api.example.com\n")
	assert.Contains(t, conf, "\nacl dest_3 dst -n 10.1.2.3\n", "an IP address is matched as an address")
	assert.Contains(t, conf, "\nacl port_80 port 80\nacl dest_2")
	assert.Contains(t, conf, "\nacl port_443 port 443\n")
	assert.Contains(t, conf, "\nacl port_8080 port 8080\n")
	assert.Contains(t, conf, "\naccess_log daemon:/var/log/squid/access.log squid\n", "the squid-log check reads it")
	assert.NotContains(t, conf, "auth_param")
	assert.Equal(t, []string{
		"http_access deny !egress_clients",
		"http_access allow !CONNECT dest_1 port_80",   // plain: absolute-form GET only
		"http_access allow CONNECT dest_2 port_443",   // TLS: CONNECT only
		"http_access allow !CONNECT dest_3 port_8080", // plain on its own port
		"http_access deny all",                        // everything else, last
	}, accessRules(conf))
	assert.Equal(t, 1, strings.Count(conf, "http_port"), "a second http_port would fail to bind")
}

// Negative control: without a TLS destination there is no CONNECT rule at all, so Squid tunnels nothing
// (the old configuration allowed CONNECT to 80 and 443 for any host).
func TestConfWithoutTLSDestinationsAllowsNoConnect(t *testing.T) {
	conf := Conf([]string{"10.244.0.0/16"}, []agentgateway.Destination{{Host: "httpbingo.org", Port: 80}}, false)
	for _, rule := range accessRules(conf) {
		assert.False(t, strings.HasPrefix(rule, "http_access allow CONNECT"), rule)
	}
	assert.NotContains(t, conf, "port 443")
}

func TestConfWithAuthRequiresUserAndSource(t *testing.T) {
	conf := Conf([]string{"10.244.0.0/16", "172.16.0.0/12"}, mixed, true)
	assert.Contains(t, conf, "\nacl egress_clients src 10.244.0.0/16 172.16.0.0/12\n")
	assert.Contains(t, conf, "\nauth_param basic program /usr/lib/squid/basic_ncsa_auth /etc/squid/auth/htpasswd\n")
	assert.Contains(t, conf, "\nacl proxy_users proxy_auth REQUIRED\n")
	rules := accessRules(conf)
	require.Len(t, rules, 6)
	// Unknown sources are refused before any authentication challenge; then no destination without a user.
	assert.Equal(t, []string{"http_access deny !egress_clients", "http_access deny !proxy_users"}, rules[:2])
	assert.Equal(t, "http_access deny all", rules[5])
}
