package engines

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// squidSpec is the squid stack's `verify` output, read by cmd/verify's own parser: the client identity and the
// destination the checks use.
func squidSpec(t *testing.T) verify.Spec {
	t.Helper()
	r, _ := renderStack(t, "squid")
	return specOf(t, r)
}

func specOf(t *testing.T, r *render.Result) verify.Spec {
	t.Helper()
	plain := map[string]any{}
	for name, out := range r.Outputs {
		plain[name] = out.Value
	}
	outputs, err := verify.OutputsFromMap(plain)
	require.NoError(t, err)
	return outputs.Verify
}

// The sample's rule (samples/extauthz/cmd/extauthz/main.go, Check for v3): with an x-ext-authz header, allow iff
// its value is exactly "allow"; without it, allow iff the source principal ends in "/sa/" + -allow_service_account
// (default "a"; the program passes no flags). It answers allowed with x-ext-authz-check-result: allowed, and
// denied with 403 and x-ext-authz-check-result: denied.
func TestExtAuthzSampleDecides(t *testing.T) {
	SkipShort(t, "Istio's sample ext-authz server")
	spec := squidSpec(t)
	principal := spec.ClientPrincipal()
	require.Equal(t, "spiffe://cluster.local/ns/ns1/sa/sleep", principal, "the squid stack's client identity")
	host := strings.TrimPrefix(strings.TrimPrefix(spec.DestinationURL, "http://"), "https://")
	host, _, _ = strings.Cut(host, "/")
	server := StartExtAuthz(t)

	cases := []struct {
		name    string
		headers map[string]string
		source  string
		allowed bool
	}{
		{"x-ext-authz: allow", map[string]string{verify.ExtAuthzHeader: verify.ExtAuthzAllow}, principal, true},
		{"x-ext-authz: deny", map[string]string{verify.ExtAuthzHeader: "deny"}, principal, false},
		{"x-ext-authz: Allow", map[string]string{verify.ExtAuthzHeader: "Allow"}, principal, false},
		{"x-ext-authz empty", map[string]string{verify.ExtAuthzHeader: ""}, principal, false},
		{"no x-ext-authz", nil, principal, false},
		// Control: the sample's other rule does allow a header-less request, for service account "a"; the
		// program's client is "sleep", so the decision above depends on the identity the program deploys.
		{"no x-ext-authz, service account a", nil, "spiffe://cluster.local/ns/ns1/sa/a", true},
	}
	for i, c := range cases {
		path := fmt.Sprintf("/get?verify=case%d", i)
		req := HTTPRequest{Method: "GET", Host: host, Path: path, Scheme: "http", Headers: c.headers,
			Source: c.source, Destination: "spiffe://cluster.local/ns/agentgateway-system/sa/egress-gateway"}
		resp, err := Check(server.GRPC, req.CheckRequest())
		require.NoError(t, err, c.name)
		d := Decide(resp)
		assert.Equal(t, c.allowed, d.Allowed, c.name)
		if c.allowed {
			assert.Equal(t, "allowed", d.Headers["x-ext-authz-check-result"], c.name)
		} else {
			assert.Equal(t, 403, d.Status, c.name)
			assert.Equal(t, "denied", d.Headers["x-ext-authz-check-result"], c.name)
		}

		// The ext-authz-log check parses the line the server printed for this very request.
		logs := server.Log(t)
		entry, err := verify.LastExtAuthzEntry(logs, func(e verify.ExtAuthzEntry) bool { return strings.HasSuffix(e.Target, path) })
		require.NoError(t, err, "server output:\n%s", logs)
		assert.Equal(t, "gRPCv3", entry.API, c.name)
		assert.Equal(t, map[bool]string{true: verify.ResultAllowed, false: "denied"}[c.allowed], entry.Decision, c.name)
		assert.Equal(t, host+path, entry.Target, c.name)
		// The source principal, not the destination's (the gateway's), which the line also carries.
		assert.Equal(t, c.source, entry.Principal, "%s: %s", c.name, entry.Line)
	}

	// Negative control for the log proof: a decision that was never taken is not found in the real output.
	_, err := verify.LastExtAuthzEntry(server.Log(t), func(e verify.ExtAuthzEntry) bool { return strings.Contains(e.Target, "never-sent") })
	assert.Error(t, err)
}
