package squid

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
)

// Paths inside the Squid container.
const (
	ConfPath     = "/etc/squid/squid.conf"
	authDir      = "/etc/squid/auth"
	HtpasswdPath = authDir + "/htpasswd"
	// ncsaHelper is basic_ncsa_auth as Ubuntu's squid package installs it.
	ncsaHelper = "/usr/lib/squid/basic_ncsa_auth"
)

// Conf is Squid's whole configuration. It replaces the image's squid.conf rather than adding a conf.d
// snippet: Ubuntu's default file denies `CONNECT` to anything but 443 *before* it includes conf.d and
// already declares `http_port 3128` (a second one fails to bind).
//
// clients are the source ranges allowed to use the proxy; dests are the only places it forwards to, each
// in the one way agentgateway v1.4.1 asks for it (crates/agentgateway/src/client/mod.rs, Connector::connect):
// a plain-HTTP destination as an absolute-form request ("use absolute form for plaintext HTTP"), a TLS one as
// `CONNECT host:port` ("use CONNECT for non-plaintext HTTP"). Anything else is denied, so even a caller that
// got past the NetworkPolicy cannot use Squid as an open proxy. auth turns on Basic authentication against
// HtpasswdPath.
func Conf(clients []string, dests []agentgateway.Destination, auth bool) string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }

	line("# Managed by egress-mesh (Pulumi). Only the egress gateway's tunnels are meant to use this proxy.")
	line("http_port %d", Port)
	line("")
	line("# Who may use the proxy (see the mode's Args for what these ranges admit and why).")
	line("acl egress_clients src %s", strings.Join(clients, " "))
	line("acl CONNECT method CONNECT")
	line("")
	line("# Where it may go: exactly the configured destinations, each only in the way the gateway uses it.")
	var ports []int
	for i, d := range dests {
		line("acl %s %s", destACL(i), destMatch(d.Host))
		if !slices.Contains(ports, d.Port) {
			ports = append(ports, d.Port)
			line("acl %s port %d", portACL(d.Port), d.Port)
		}
	}
	if auth {
		line("")
		line("# Proxy-Authorization: Basic, checked against the htpasswd file mounted from a Secret.")
		line("auth_param basic program %s %s", ncsaHelper, HtpasswdPath)
		line("auth_param basic realm egress-mesh")
		line("acl proxy_users proxy_auth REQUIRED")
	}
	line("")
	line("# Squid applies the first http_access line that matches.")
	line("http_access deny !egress_clients")
	if auth {
		line("http_access deny !proxy_users")
	}
	for i, d := range dests {
		if d.TLS {
			line("# %s:%d: the gateway originates TLS inside CONNECT %s:%d", d.Host, d.Port, d.Host, d.Port)
			line("http_access allow CONNECT %s %s", destACL(i), portACL(d.Port))
		} else {
			line("# %s:%d: plain HTTP, forwarded as an absolute-form request", d.Host, d.Port)
			line("http_access allow !CONNECT %s %s", destACL(i), portACL(d.Port))
		}
	}
	line("http_access deny all")
	line("")
	line("# The image's entrypoint tails this file to stdout, where `kubectl logs` and `docker logs` read it.")
	line("access_log daemon:/var/log/squid/access.log squid")
	line("# A forward proxy for tunnels, not a cache.")
	line("cache deny all")
	line("coredump_dir /var/spool/squid")
	return b.String()
}

func destACL(i int) string { return fmt.Sprintf("dest_%d", i+1) }

func portACL(port int) string { return fmt.Sprintf("port_%d", port) }

// destMatch matches one destination host exactly: `dstdomain -n` compares the request's host (the CONNECT
// authority for a tunnel) with the name and never resolves it; an IP address is matched with `dst -n`.
// Without a leading dot, dstdomain matches the name itself and no subdomain.
func destMatch(host string) string {
	if net.ParseIP(host) != nil {
		return "dst -n " + host
	}
	return "dstdomain -n " + host
}
