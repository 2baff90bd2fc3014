package engines

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/egress-mesh/egress-mesh/components/authz"
)

// mountedPolicy is what the dev (Ollama) stack's authz server reads: the files of the ConfigMap its Deployment
// mounts (found through the Deployment's volume, not by the ConfigMap's name), and the Host header clients send.
func mountedPolicy(t *testing.T) (files map[string]string, host string) {
	t.Helper()
	r, _ := renderStack(t, "dev")
	server := object(t, r, "Deployment", authz.AuthzServiceName)
	pod := dig(server, "spec", "template", "spec")
	volumes, _ := pod["volumes"].([]any)
	require.Len(t, volumes, 1, "the authz server mounts exactly the policy volume")
	source := dig(volumes[0].(map[string]any), "configMap")
	require.NotEqual(t, true, source["optional"], "an optional policy volume lets the server start with no policy")
	cm := object(t, r, "ConfigMap", source["name"].(string))
	files = map[string]string{}
	for k, v := range cm["data"].(map[string]any) {
		files[k] = v.(string)
	}
	return files, specOf(t, r).HostHeader
}

func dig(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m, _ = m[p].(map[string]any)
	}
	return m
}

// generate is a request as kgateway's Envoy sends it to the authz server for a client's call.
func generate(host string, headers map[string]string) HTTPRequest {
	return HTTPRequest{Method: "POST", Host: host, Path: "/api/generate", Scheme: "http", Headers: headers,
		Source: "spiffe://cluster.local/ns/egress-client/sa/curl"}
}

func decide(t *testing.T, s *KyvernoAuthz, req HTTPRequest) Decision {
	t.Helper()
	resp, err := Check(s.GRPC, req.CheckRequest())
	require.NoError(t, err)
	return Decide(resp)
}

// TestKyvernoAuthzServerDecides runs kyverno-authz's own server (its file loader, compiler, engine and gRPC
// service, at the commit Kyverno v1.19.0 requires) on the ConfigMap the program mounts, laid out as kubelet lays
// out a ConfigMap volume, and sends it CheckRequests as kgateway's Envoy does: lower-case header names, repeated
// headers joined with "," (Envoy's HeaderMap::get joins them).
func TestKyvernoAuthzServerDecides(t *testing.T) {
	SkipShort(t, "kyverno-authz's Envoy authz server")
	files, host := mountedPolicy(t)
	server := StartKyvernoAuthz(t, ConfigMapVolume(t, files))
	// The loader walks the mount and reads each YAML file by its base name (pkg/engine/sources/fs.go:
	// fs.ReadFile(f, entry.Name())), so policy.yaml is read twice: as the key's symlink and from inside the
	// timestamped directory. Two copies of one policy decide as one (the first answer wins).
	assert.Equal(t, 2*len(files), server.Loaded, "policies loaded from the mounted ConfigMap")

	const header = "x-force-authorized"
	cases := []struct {
		name    string
		headers map[string]string
		allowed bool
	}{
		{"true", map[string]string{header: "true"}, true},
		{"enabled", map[string]string{header: "enabled"}, true},
		{"absent", nil, false},
		{"false", map[string]string{header: "false"}, false},
		{`"TRUE " (case and space)`, map[string]string{header: "TRUE "}, false},
		{"empty", map[string]string{header: ""}, false},
		{"duplicated (true,true)", map[string]string{header: "true,true"}, false},
		{"another header", map[string]string{"x-force-authorised": "true"}, false},
	}
	for _, c := range cases {
		d := decide(t, server, generate(host, c.headers))
		assert.Equal(t, c.allowed, d.Allowed, c.name)
		if !c.allowed {
			// The policy's own deny: what the denied checks tell apart from a 403 Envoy makes up.
			assert.Equal(t, 403, d.Status, c.name)
			assert.Equal(t, authz.DenyValue, d.Headers[authz.DenyHeader], c.name)
			assert.Equal(t, authz.DenyBody, d.Body, c.name)
		}
	}
}

// TestKyvernoAuthzServerWithoutPolicyAllows is the state the program must never let traffic reach: with no
// policy loaded the server answers an empty CheckResponse (pkg/authz/envoy/service.go: "we didn't have a
// response"), whose status is OK, so Envoy allows. The program keeps it unreachable: the policy volume is not
// optional (mountedPolicy), it holds a policy the loader loads (TestKyvernoAuthzServerDecides), and the gateway
// is pointed at the server only after the server's Deployment is ready (components/authz ordering tests).
func TestKyvernoAuthzServerWithoutPolicyAllows(t *testing.T) {
	SkipShort(t, "kyverno-authz's Envoy authz server")
	_, host := mountedPolicy(t)
	server := StartKyvernoAuthz(t, ConfigMapVolume(t, map[string]string{}))
	assert.Equal(t, 0, server.Loaded)
	assert.True(t, decide(t, server, generate(host, nil)).Allowed, "no policy: the server allows")
}

// TestKyvernoAuthzProofCanFail: the same server and requests tell policies apart. A policy that always allows
// admits the header-less request the program's policy denies; a policy whose spec the loader cannot decode
// (a misspelt field) is skipped with only a log line, leaving the server allowing everything, which is why the
// proof counts the loaded policies.
func TestKyvernoAuthzProofCanFail(t *testing.T) {
	SkipShort(t, "kyverno-authz's Envoy authz server")
	files, host := mountedPolicy(t)
	var policy map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(files["policy.yaml"]), &policy))

	open := deepCopy(t, policy)
	open["spec"].(map[string]any)["validations"] = []any{map[string]any{"expression": "envoy.Allowed().Response()"}}
	server := StartKyvernoAuthz(t, ConfigMapVolume(t, map[string]string{"policy.yaml": marshal(t, open)}))
	assert.True(t, decide(t, server, generate(host, nil)).Allowed, "an always-allow policy allows")

	misspelt := deepCopy(t, policy)
	spec := misspelt["spec"].(map[string]any)
	spec["validation"], spec["validations"] = spec["validations"], nil
	delete(spec, "validations")
	broken := StartKyvernoAuthz(t, ConfigMapVolume(t, map[string]string{"policy.yaml": marshal(t, misspelt)}))
	assert.Equal(t, 0, broken.Loaded, "a policy with a misspelt field is not loaded")
	assert.True(t, decide(t, broken, generate(host, nil)).Allowed, "and the server then allows")
}

func marshal(t *testing.T, obj map[string]any) string {
	t.Helper()
	b, err := yaml.Marshal(obj)
	require.NoError(t, err)
	return string(b)
}
