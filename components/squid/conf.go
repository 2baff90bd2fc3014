package squid

import (
	"fmt"
	"slices"
	"strings"
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
// snippet: Ubuntu's default file denies `CONNECT` to anything but 443 *before* it includes conf.d (so a
// snippet could never allow port 80) and already declares `http_port 3128` (a second one fails to bind).
//
// clients are the source ranges allowed to use the proxy; ports are the destination ports it may
// reach besides 80 and 443; auth turns on Basic authentication against HtpasswdPath.
func Conf(clients []string, ports []int, auth bool) string {
	safe := []int{80, 443}
	for _, p := range ports {
		if !slices.Contains(safe, p) {
			safe = append(safe, p)
		}
	}
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }

	line("# Managed by egress-mesh (Pulumi). Only the egress gateway's tunnels are meant to use this proxy.")
	line("http_port %d", Port)
	line("")
	line("# Who may use the proxy: the cluster's pods (the egress gateway among them).")
	line("acl egress_clients src %s", strings.Join(clients, " "))
	line("acl SSL_ports port 443")
	line("# agentgateway tunnels plain-HTTP destinations with CONNECT to port 80 too.")
	line("acl HTTP_ports port 80")
	line("acl Safe_ports port %s", joinInts(safe))
	line("acl CONNECT method CONNECT")
	if auth {
		line("")
		line("# Proxy-Authorization: Basic, checked against the htpasswd file mounted from a Secret.")
		line("auth_param basic program %s %s", ncsaHelper, HtpasswdPath)
		line("auth_param basic realm egress-mesh")
		line("acl proxy_users proxy_auth REQUIRED")
	}
	line("")
	line("http_access deny !Safe_ports")
	line("http_access deny CONNECT !SSL_ports !HTTP_ports")
	if auth {
		line("http_access allow egress_clients proxy_users")
	} else {
		line("http_access allow egress_clients")
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

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, " ")
}
