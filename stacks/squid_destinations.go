package stacks

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/squid"
)

// clientURL is how the client calls a destination: plain HTTP on its client port (80 for a TLS destination,
// whose TLS the waypoint originates; see TLSScheme), at a path the echo services answer with the request's
// headers.
func clientURL(d Destination) string {
	host := d.Host
	if port := d.ClientPort(); port != 80 {
		host += ":" + strconv.Itoa(port)
	}
	return "http://" + host + "/headers"
}

// squidLogRequest is how Squid's access log names the request for a destination, in agentgateway's two ways
// of using a tunnel (crates/agentgateway/src/client/mod.rs): `CONNECT host:port` for TLS, an absolute-form
// `http://host[:port]/...` URL for plain HTTP.
func squidLogRequest(d Destination) (method, url string) {
	if d.TLS {
		return "CONNECT", d.Host + ":" + strconv.Itoa(d.Port)
	}
	host := d.Host
	if d.Port != 80 {
		host += ":" + strconv.Itoa(d.Port)
	}
	return "GET", "http://" + host + "/"
}

// verifyDestinations is the `verify` output's list of destinations: what the checks call and what Squid must
// log for each (squidMethod and squidURL: the URL prefix in Squid's access log).
func verifyDestinations(dests []Destination) pulumi.Array {
	var out pulumi.Array
	for _, d := range dests {
		method, url := squidLogRequest(d)
		out = append(out, pulumi.Map{
			"host":        pulumi.String(d.Host),
			"port":        pulumi.Int(d.Port),
			"tls":         pulumi.Bool(d.TLS),
			"url":         pulumi.String(clientURL(d)),
			"squidMethod": pulumi.String(method),
			"squidURL":    pulumi.String(url),
		})
	}
	return out
}

// squidLogCommand reads Squid's recent access log and keeps the lines that mention pattern. It never names an
// existing proxy's address: squidAddress may be a secret, and the checks output is not.
func squidLogCommand(kubectl string, logs squid.Logs, pattern string) string {
	switch logs.Kind {
	case "pod":
		return fmt.Sprintf("%s logs -n %s -l %s -c %s --tail=50 | grep '%s'", kubectl, logs.Namespace, logs.Selector, logs.Container, pattern)
	case "docker":
		return fmt.Sprintf("docker logs --tail 50 %s 2>&1 | grep '%s'", logs.Container, pattern)
	default:
		return "echo 'Squid is the existing proxy (squidAddress): read its access log there'"
	}
}

// addTLSCheck adds, for the first TLS destination, the check that its traffic left through Squid as
// `CONNECT host:port`: the proof that the waypoint originated TLS inside the tunnel.
func addTLSCheck(checks pulumi.StringMap, dests []Destination, exec, kubectl string, logs squid.Logs) {
	for _, d := range dests {
		if !d.TLS {
			continue
		}
		_, connect := squidLogRequest(d)
		checks["tls"] = pulumi.String(exec + clientURL(d) + ` -H "x-ext-authz: allow" && ` +
			squidLogCommand(kubectl, logs, "CONNECT "+connect) +
			"   # expect: 200 from the destination, then Squid's TCP_TUNNEL/200 ... CONNECT " + connect)
		return
	}
}

// verifyTLSDestinations lists, per TLS destination, the URL the client calls and the CONNECT target Squid must
// log (the tls-connect check).
func verifyTLSDestinations(dests []Destination) pulumi.Array {
	out := pulumi.Array{}
	for _, d := range dests {
		if d.TLS {
			_, connect := squidLogRequest(d)
			out = append(out, pulumi.Map{"url": pulumi.String(clientURL(d)), "connect": pulumi.String(connect)})
		}
	}
	return out
}

// directRefusal names what refuses a pod other than the gateway that calls Squid directly: the NetworkPolicy
// (cluster mode), Squid's own proxy authentication (credentials only the gateway holds), or nothing ("").
// In docker mode without credentials nothing does: kind masquerades pod traffic to the node's address, which
// Squid must admit for the gateway's sake (components/squid dockerPrivateRanges).
func directRefusal(s SquidConfig) string {
	switch {
	case s.Mode == SquidCluster:
		return "networkpolicy"
	case s.Username != "":
		return "proxy-auth"
	default:
		return ""
	}
}
