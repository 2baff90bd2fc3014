package stacks

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// TLSScheme marks a destination the gateway reaches over TLS: `tls://host[:port]` (port 443 by default).
//
// Clients still call it in plain HTTP on port 80 (`http://host/...`): the waypoint must read the request to
// ask ext-authz about it (headers, path, the caller's identity), which it cannot do inside a TLS session the
// client opened end to end. The hop from client to waypoint is HBONE, so it is mutually authenticated and
// encrypted anyway. The waypoint then originates TLS to host:port (AgentgatewayBackend `policies.tls`) inside
// a CONNECT tunnel through Squid, which therefore logs `CONNECT host:443`.
const TLSScheme = "tls://"

// TLSClientPort is the port clients call a TLS destination on, in plain HTTP.
const TLSClientPort = 80

// parseDestination reads one `destinations` item: `host`, `host:port` (plain HTTP, port 80 by default) or
// `tls://host[:port]` (TLS from the gateway, port 443 by default). It rejects the combinations that cannot
// work, saying what to write instead.
func parseDestination(item string) (Destination, error) {
	rest, isTLS := strings.CutPrefix(item, TLSScheme)
	if strings.Contains(rest, "://") {
		return Destination{}, errors.New("a URL: write host, host:port, or tls://host[:port] for a destination the gateway reaches over TLS")
	}
	if !strings.Contains(rest, ":") {
		rest += ":" + map[bool]string{false: "80", true: "443"}[isTLS]
	}
	host, port, err := splitHostPort(rest, false)
	if err != nil {
		return Destination{}, err
	}
	_, ipErr := netip.ParseAddr(host)
	switch {
	case isTLS && ipErr == nil:
		// agentgateway sends the destination's name as SNI and checks the certificate against it; the CRD's
		// `sni` pattern admits only DNS names.
		return Destination{}, errors.New("TLS needs a DNS host name (the gateway sends it as SNI and verifies the certificate against it), not an IP address")
	case isTLS && port == 80:
		return Destination{}, errors.New("port 80 is plain HTTP: write host (or host:80) without tls://")
	case !isTLS && port == 443:
		return Destination{}, errors.New("port 443 speaks TLS, which a plain-HTTP destination cannot: write tls://" + host +
			" and clients call http://" + host + "/ while the gateway originates TLS")
	}
	return Destination{Host: host, Port: port, TLS: isTLS}, nil
}

// String is the destination as written in config (the canonical form, port always given).
func (d Destination) String() string {
	s := d.Host + ":" + strconv.Itoa(d.Port)
	if d.TLS {
		return TLSScheme + s
	}
	return s
}

// ClientPort is the port clients call the destination on: its own for plain HTTP, TLSClientPort for TLS.
func (d Destination) ClientPort() int {
	if d.TLS {
		return TLSClientPort
	}
	return d.Port
}
