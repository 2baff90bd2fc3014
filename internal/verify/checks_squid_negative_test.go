package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	eaDeploy  = "deploy/ext-authz -n ext-authz"
	eaPods    = "get pods -n ext-authz -l app=ext-authz -o name"
	eaScale1  = "scale " + eaDeploy + " --replicas=1"
	sqViaProx = "-x http://squid.proxy.svc.cluster.local:3128 http://httpbingo.org/headers"
)

func extAuthzDownRules(during Output) []rule {
	return []rule{
		{match: "get " + eaDeploy + " -o jsonpath={.spec.replicas}", out: Output{Stdout: "1"}},
		{match: "scale " + eaDeploy + " --replicas=0"},
		{match: eaPods, out: Output{Stdout: ""}},
		{match: sqExec, out: during, times: 1},
		allowed200(),
		{match: eaScale1},
		{match: "rollout status " + eaDeploy},
	}
}

func TestSquidFailClosed(t *testing.T) {
	f := newFake(extAuthzDownRules(Output{Stderr: curlAgwAuthzFailed, Stdout: AgentgatewayAuthzFailed})...)
	r := squidFailClosed(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, `403 "external authorization failed"; restored to 1 replicas: 200 X-Ext-Authz-Check-Result: allowed`, r.Evidence)
	assert.Contains(t, f.ran(sqExec)[0].line, sqAllow, "an authorised request: only an outage can refuse it")

	cases := map[string]struct {
		during Output
		want   string
	}{
		// A real decision while the server was supposedly down: the scale-down did not take.
		"a decision":  {Output{Stderr: curlSquid403, Stdout: bodySquidDenied}, "ext-authz answered"},
		"fail open":   {Output{Stderr: curlSquid200, Stdout: bodyHeadersPlain}, "fail open"},
		"other 403":   {Output{Stderr: curlAgwAuthzFailed, Stdout: "RBAC: access denied"}, "without agentgateway's"},
		"a 5xx":       {Output{Stderr: strings.Replace(curlAgwAuthzFailed, "403 Forbidden", "503 Service Unavailable", 1)}, "want 403"},
		"curl failed": {Output{Stderr: curlTimeout}, "request failed"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(extAuthzDownRules(c.during)...)
			r := squidFailClosed(context.Background(), testEnv(t, squidSpec(), f))
			assert.Equal(t, Fail, r.Status, r.Evidence)
			assert.Contains(t, r.Evidence, c.want)
			assert.Len(t, f.ran(eaScale1), 1, "always restored")
		})
	}
}

func TestSquidDirect(t *testing.T) {
	cases := map[string]struct {
		out    Output
		err    error
		status Status
		want   string
	}{
		"network refuses": {Output{Stderr: curlTimeout}, exit(28, curlTimeout), Pass, "curl: (28)"},
		"squid ACL":       {Output{Stderr: curlSquidACLDenied}, nil, Pass, "Squid refused: 403 X-Squid-Error: ERR_ACCESS_DENIED 0"},
		"open proxy":      {Output{Stderr: curlSquid200, Stdout: bodyHeadersPlain}, nil, Fail, "got HTTP 200"},
		"only auth":       {Output{Stderr: strings.Replace(curlSquidACLDenied, "403 Forbidden", "407 Proxy Authentication Required", 1)}, nil, Fail, "got HTTP 407"},
		"403 not squid":   {Output{Stderr: curlSquid403}, nil, Fail, "got HTTP 403"},
		"client missing":  {Output{Stderr: kubectlNotFound}, exit(1, kubectlNotFound), Fail, "cannot tell"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(rule{match: sqExec, out: c.out, err: c.err})
			r := squidDirect(context.Background(), testEnv(t, squidSpec(), f))
			assert.Equal(t, c.status, r.Status, r.Evidence)
			assert.Contains(t, r.Evidence, c.want)
			assert.Contains(t, f.ran(sqExec)[0].line, sqViaProx)
		})
	}
}

const otherNS = "egress-verify-n0nce123"

func otherNamespaceRules(podLogs string) []rule {
	pod := "egress-verify-n0nce123"
	return []rule{
		{match: "create namespace " + otherNS},
		{match: "label namespace " + otherNS + " istio.io/dataplane-mode=ambient"},
		{match: "get serviceaccount default -n " + otherNS, err: exit(1, "NotFound"), times: 1},
		{match: "get serviceaccount default -n " + otherNS},
		{match: "get deploy/sleep -n ns1 -o jsonpath=", out: Output{Stdout: "curlimages/curl:8.16.0"}},
		{match: "run " + pod + " -n " + otherNS},
		{match: "get pod " + pod, out: Output{Stdout: "Failed"}},
		{match: "logs " + pod, out: Output{Stdout: podLogs}},
		{match: "delete pod " + pod},
		{match: "delete namespace " + otherNS},
	}
}

func TestSquidOtherNamespace(t *testing.T) {
	f := newFake(otherNamespaceRules(curlReset)...)
	r := squidOtherNamespace(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Contains(t, r.Evidence, "curl: (56)")
	run := f.ran("run egress-verify-n0nce123")
	require.Len(t, run, 1)
	assert.Contains(t, run[0].line, "-H "+sqAllow+" http://httpbingo.org/headers", "authorised: only identity can refuse it")
	assert.Less(t, f.index("label namespace"), f.index("run egress-verify"), "in the mesh before the pod starts")
	assert.Len(t, f.ran("delete namespace "+otherNS), 1)

	cases := map[string]struct {
		logs string
		want string
	}{
		"waypoint admitted it": {curlSquid200 + bodyHeadersAllowed, "mesh-identity-only did not refuse"},
		"went around":          {strings.Replace(curlSquid200, "< x-ext-authz-check-result: allowed\n", "", 1) + bodyHeadersPlain, "went around the waypoint"},
		"curl never ran":       {"exec: \"curl\": executable file not found in $PATH", "cannot tell"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(otherNamespaceRules(c.logs)...)
			r := squidOtherNamespace(context.Background(), testEnv(t, squidSpec(), f))
			assert.Equal(t, Fail, r.Status, r.Evidence)
			assert.Contains(t, r.Evidence, c.want)
			assert.Len(t, f.ran("delete namespace "+otherNS), 1, "the namespace is always deleted")
		})
	}
}

func TestSquidOtherNamespaceDeletesTheNamespaceAfterInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rules := otherNamespaceRules(curlReset)
	rules[1] = rule{match: "label namespace", do: func(context.Context) (Output, error) {
		cancel()
		return Output{}, context.Canceled
	}}
	f := newFake(rules...)
	r := squidOtherNamespace(ctx, testEnv(t, squidSpec(), f))
	assert.Equal(t, Fail, r.Status)
	del := f.ran("delete namespace " + otherNS)
	require.Len(t, del, 1)
	assert.NoError(t, del[0].ctxErr)
}

func TestSquidTLSConnect(t *testing.T) {
	tlsCall := rule{match: "http://api.openai.com/v1/models", out: Output{Stderr: strings.Replace(curlSquid200, "httpbingo.org", "api.openai.com", -1), Stdout: `{"error":"missing api key"}`}}
	logs := squidGetLine + "\n" + squidTLSLine + "\n"
	f := newFake(tlsCall, rule{match: sqPodLogs, out: Output{Stdout: logs}})
	r := squidTLSConnect(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, squidTLSLine, r.Evidence)

	// Squid 6.6 (bug 5274) logs some working tunnels with status 500; the answer came through, so it passes.
	bug5274 := strings.Replace(squidTLSLine, "TCP_TUNNEL/200", "TCP_TUNNEL/500", 1)
	r = squidTLSConnect(context.Background(), testEnv(t, squidSpec(), newFake(tlsCall, rule{match: sqPodLogs, out: Output{Stdout: bug5274}})))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Contains(t, r.Evidence, "bug 5274")

	cases := map[string]struct {
		call rule
		logs string
		want string
	}{
		// TLS not originated: agentgateway sends plain HTTP in absolute form, Squid logs a GET to port 443.
		"plain HTTP to 443": {tlsCall, "1764965450.311 12 10.244.2.14 TCP_MISS/400 300 GET http://api.openai.com:443/v1/models - HIER_DIRECT/162.159.140.245 text/html", "no Squid access-log entry for CONNECT api.openai.com:443"},
		"old tunnel only":   {tlsCall, strings.Replace(squidTLSLine, "1764965450.311", "1764960000.000", 1), "only before"},
		"tunnel refused":    {tlsCall, strings.Replace(squidTLSLine, "TCP_TUNNEL/200", "TCP_DENIED/403", 1), "refused the tunnel"},
		"refused with 5xx":  {tlsCall, strings.Replace(squidTLSLine, "TCP_TUNNEL/200", "NONE_NONE/503", 1), "refused the tunnel"},
		"gateway error":     {rule{match: "api.openai.com", out: Output{Stderr: curl503, Stdout: "upstream connect error"}}, squidTLSLine, "could not reach it over TLS"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(c.call, rule{match: sqPodLogs, out: Output{Stdout: c.logs}})
			r := squidTLSConnect(context.Background(), testEnv(t, squidSpec(), f))
			assert.Equal(t, Fail, r.Status, r.Evidence)
			assert.Contains(t, r.Evidence, c.want)
		})
	}
}

func TestSquidTLSConnectSkips(t *testing.T) {
	spec := squidSpec()
	spec.TLSDestinations = nil
	r := squidTLSConnect(context.Background(), testEnv(t, spec, newFake()))
	assert.Equal(t, Skip, r.Status)
	assert.Contains(t, r.Evidence, "no TLS destination")

	spec = squidSpec()
	spec.SquidLogs = &SquidLogs{Kind: SquidLogsNone}
	r = squidTLSConnect(context.Background(), testEnv(t, spec, newFake()))
	assert.Equal(t, Skip, r.Status)
}

func TestPollLogsStopsOnErrorsThatCannotPass(t *testing.T) {
	spec := squidSpec()
	spec.SquidLogs = &SquidLogs{Kind: SquidLogsDocker, Container: "egress-squid"}
	daemonDown := "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
	f := newFake(allowed200(), rule{match: "docker logs", err: exit(1, daemonDown)})
	r := squidLog(context.Background(), testEnv(t, spec, f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "Cannot connect to the Docker daemon")
	assert.Len(t, f.ran("docker logs"), 1, "a daemon that is down is not retried")

	// A transient API error is retried until the line shows.
	f = newFake(allowed200(), rule{match: sqPodLogs, err: exit(1, "Error from server: etcdserver: leader changed"), times: 1},
		rule{match: sqPodLogs, out: Output{Stdout: squidGetLine}})
	r = squidLog(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Len(t, f.ran(sqPodLogs), 2)
}
