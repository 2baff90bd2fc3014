package stacks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Which destinations can work follows from how agentgateway v1.4.1 dials a tunnelled backend
// (crates/agentgateway/src/client/mod.rs): plain HTTP goes to the proxy in absolute form, TLS (policies.tls)
// goes through `CONNECT host:port` and is then handshaken with the destination's name as SNI.
func TestDestinationsPlainAndTLS(t *testing.T) {
	cfg, err := Parse(raw("path", "squid", "destinations",
		`["httpbingo.org", "tls://api.example.com", "tls://llm.example.com:8443", "10.1.2.3:8080"]`))
	require.NoError(t, err)
	assert.Equal(t, []Destination{
		{Host: "httpbingo.org", Port: 80},
		{Host: "api.example.com", Port: 443, TLS: true},
		{Host: "llm.example.com", Port: 8443, TLS: true},
		{Host: "10.1.2.3", Port: 8080},
	}, cfg.Squid.Destinations)

	var written, clientPorts []any
	for _, d := range cfg.Squid.Destinations {
		written = append(written, d.String())
		clientPorts = append(clientPorts, d.ClientPort())
	}
	assert.Equal(t, []any{"httpbingo.org:80", "tls://api.example.com:443", "tls://llm.example.com:8443", "10.1.2.3:8080"}, written)
	// A TLS destination is called in plain HTTP on 80 (the waypoint must read the request for ext-authz).
	assert.Equal(t, []any{80, 80, 80, 8080}, clientPorts)
}

// Each combination that cannot work is refused with the key, the value and what to write instead; the
// accepted cases above are the negative control (the same parser, the same hosts, other forms).
func TestDestinationsThatCannotWorkAreRejected(t *testing.T) {
	const prefix = "must be host, host:port or tls://host[:port] with a DNS host name ("
	for _, tc := range []struct{ item, why string }{
		{"api.example.com:443", "port 443 speaks TLS, which a plain-HTTP destination cannot: write tls://api.example.com and clients call http://api.example.com/ while the gateway originates TLS"},
		{"tls://api.example.com:80", "port 80 is plain HTTP: write host (or host:80) without tls://"},
		{"tls://10.1.2.3", "TLS needs a DNS host name (the gateway sends it as SNI and verifies the certificate against it), not an IP address"},
		{"https://api.example.com", "a URL: write host, host:port, or tls://host[:port] for a destination the gateway reaches over TLS"},
		{"tls://https://api.example.com", "a URL: write host, host:port, or tls://host[:port] for a destination the gateway reaches over TLS"},
		{"tls://", "no host"},
		{"tls://api.example.com:0", "port must be 1-65535"},
	} {
		t.Run(tc.item, func(t *testing.T) {
			_, err := Parse(raw("path", "squid", "destinations", `["`+tc.item+`"]`))
			require.Error(t, err)
			assert.Equal(t, `config egress-mesh:destinations[0] = "`+tc.item+`" `+prefix+tc.why+")", err.Error())
		})
	}
}
