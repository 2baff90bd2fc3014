package tests

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The squid stack's TLS destination end to end in the rendered program: the client calls it in plain HTTP on
// 80 (ServiceEntry, route), the waypoint originates TLS to 443 through the Squid tunnel (backend), and the
// `verify` output tells the checks what Squid must log for it: agentgateway v1.4.1 tunnels TLS with
// `CONNECT host:port` and plain HTTP as an absolute-form GET (crates/agentgateway/src/client/mod.rs).
func TestSquidStackTLSDestination(t *testing.T) {
	r := rendered(t, "squid", false)
	entry := object(t, r, "ServiceEntry", "ns1", "httpbin-org")
	assert.Equal(t, []any{map[string]any{"number": 80.0, "name": "http", "protocol": "HTTP"}}, dig(entry.Manifest, "spec", "ports"))
	backend := object(t, r, "AgentgatewayBackend", "agentgateway-egress", "httpbin-org")
	assert.Equal(t, map[string]any{"host": "httpbin.org", "port": 443.0}, dig(backend.Manifest, "spec", "static"))
	assert.Equal(t, map[string]any{"sni": "httpbin.org"}, dig(backend.Manifest, "spec", "policies", "tls"))

	out, ok := r.Outputs["verify"]
	require.True(t, ok && out.Known)
	v := out.Value.(map[string]any)
	byHost := map[string]map[string]any{}
	for _, d := range v["destinations"].([]any) {
		byHost[d.(map[string]any)["host"].(string)] = d.(map[string]any)
	}
	assert.Equal(t, map[string]any{"host": "httpbin.org", "port": 443, "tls": true, "url": "http://httpbin.org/headers",
		"squidMethod": "CONNECT", "squidURL": "httpbin.org:443"}, byHost["httpbin.org"])
	// Negative control: the plain destination is no tunnel.
	assert.Equal(t, map[string]any{"host": "httpbingo.org", "port": 80, "tls": false, "url": "http://httpbingo.org/headers",
		"squidMethod": "GET", "squidURL": "http://httpbingo.org/"}, byHost["httpbingo.org"])
	assert.Equal(t, "squid.proxy.svc.cluster.local:3128", v["squidProxy"])
	assert.Equal(t, []any{map[string]any{"url": "http://httpbin.org/headers", "connect": "httpbin.org:443"}}, v["tlsDestinations"],
		"the tls-connect check's input: only the TLS destination")
	assert.Equal(t, "networkpolicy", v["squidDirectRefusedBy"])
}
