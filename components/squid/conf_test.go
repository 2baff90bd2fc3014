package squid

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestConfWithoutAuth(t *testing.T) {
	conf := Conf([]string{"10.244.0.0/16"}, []int{80}, false)
	assert.Contains(t, conf, "\nhttp_port 3128\n")
	assert.Contains(t, conf, "\nacl egress_clients src 10.244.0.0/16\n")
	assert.Contains(t, conf, "\nacl SSL_ports port 443\n")
	assert.Contains(t, conf, "\nacl HTTP_ports port 80\n")
	assert.Contains(t, conf, "\nacl Safe_ports port 80 443\n")
	assert.Contains(t, conf, "\nacl CONNECT method CONNECT\n")
	assert.Contains(t, conf, "\naccess_log daemon:/var/log/squid/access.log squid\n", "the squid-log check reads it")
	assert.NotContains(t, conf, "auth_param")
	assert.NotContains(t, conf, "proxy_auth")
	assert.Equal(t, []string{
		"http_access deny !Safe_ports",
		"http_access deny CONNECT !SSL_ports !HTTP_ports", // CONNECT only to 443 and 80
		"http_access allow egress_clients",
		"http_access deny all", // everything else, last
	}, accessRules(conf))
	assert.Equal(t, 1, strings.Count(conf, "http_port"), "a second http_port would fail to bind")
}

func TestConfWithAuthRequiresUserAndSource(t *testing.T) {
	conf := Conf([]string{"10.244.0.0/16", "172.16.0.0/12"}, []int{80, 8080}, true)
	assert.Contains(t, conf, "\nacl egress_clients src 10.244.0.0/16 172.16.0.0/12\n")
	assert.Contains(t, conf, "\nacl Safe_ports port 80 443 8080\n")
	assert.Contains(t, conf, "\nauth_param basic program /usr/lib/squid/basic_ncsa_auth /etc/squid/auth/htpasswd\n")
	assert.Contains(t, conf, "\nacl proxy_users proxy_auth REQUIRED\n")
	rules := accessRules(conf)
	require.Len(t, rules, 4)
	assert.Equal(t, "http_access allow egress_clients proxy_users", rules[2])
	assert.Equal(t, "http_access deny all", rules[3])
}
