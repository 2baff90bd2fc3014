package verify

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	sqExec    = "exec deploy/sleep -n ns1 -c client -- curl -sSv"
	sqAllow   = "x-ext-authz: allow"
	sqPodLogs = "logs -n proxy -l app=squid --tail 2000 --max-log-requests 10 -c squid"
	eaLogs    = "logs -n ext-authz -l app=ext-authz"
)

func allowed200() rule {
	return rule{match: sqExec, out: Output{Stderr: curlSquid200, Stdout: bodyHeadersAllowed}}
}

func TestSquidAllowed(t *testing.T) {
	f := newFake(allowed200())
	r := squidAllowed(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, "200 X-Ext-Authz-Check-Result: allowed", r.Evidence)
	assert.Contains(t, f.ran(sqExec)[0].line, "-H "+sqAllow+" http://httpbingo.org/headers")

	f = newFake(rule{match: sqExec, out: Output{Stderr: curlSquid200, Stdout: bodyHeadersPlain}})
	r = squidAllowed(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Fail, r.Status, "a 200 that never passed ext-authz is not the allowed path")
	assert.Contains(t, r.Evidence, "skip ext-authz")

	f = newFake(rule{match: sqExec, out: Output{Stderr: curlSquid200, Stdout: "<html>proxy error</html>"}})
	r = squidAllowed(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "not the echo service's JSON")
}

func TestSquidDenied(t *testing.T) {
	f := newFake(rule{match: sqExec, out: Output{Stderr: curlSquid403, Stdout: bodySquidDenied}})
	r := squidDenied(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, "403 X-Ext-Authz-Check-Result: denied", r.Evidence)
	assert.NotContains(t, f.ran(sqExec)[0].line, sqAllow)

	f = newFake(allowed200())
	r = squidDenied(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "got 200")

	// ext-authz down: agentgateway's own 403 must not pass for a decision.
	f = newFake(rule{match: sqExec, out: Output{Stderr: curlAgwAuthzFailed, Stdout: AgentgatewayAuthzFailed}})
	r = squidDenied(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "not ext-authz's decision")
}

func TestSquidLogFromPod(t *testing.T) {
	logs := "2025/12/05 20:10:00| Accepting HTTP Socket connections\n" + squidGetLine + "\n"
	f := newFake(allowed200(), rule{match: sqPodLogs, out: Output{Stdout: logs}})
	r := squidLog(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, squidGetLine, r.Evidence)
	assert.Less(t, f.index(sqExec), f.index(sqPodLogs), "the request comes before the log read")
}

func TestSquidLogFromDockerReadsBothStreams(t *testing.T) {
	spec := squidSpec()
	spec.SquidLogs = &SquidLogs{Kind: SquidLogsDocker, Container: "egress-squid"}
	f := newFake(allowed200(), rule{match: "docker logs --tail 2000 egress-squid", out: Output{Stderr: squidConnectLine}})
	r := squidLog(context.Background(), testEnv(t, spec, f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Contains(t, r.Evidence, "TCP_TUNNEL/200")
}

func TestSquidLogFails(t *testing.T) {
	old := strings.Replace(squidGetLine, "1764965449.120", "1764960000.000", 1)
	denied := strings.Replace(squidGetLine, "TCP_MISS/200", "TCP_DENIED/403", 1)
	cases := map[string]struct {
		rules []rule
		want  string
	}{
		"only old entries":   {[]rule{allowed200(), {match: sqPodLogs, out: Output{Stdout: old}}}, "only before"},
		"other hosts only":   {[]rule{allowed200(), {match: sqPodLogs, out: Output{Stdout: strings.ReplaceAll(squidGetLine, "httpbingo.org", "example.com")}}}, "no Squid access-log entry for httpbingo.org"},
		"squid refused":      {[]rule{allowed200(), {match: sqPodLogs, out: Output{Stdout: denied}}}, "status 403"},
		"logs unreadable":    {[]rule{allowed200(), {match: sqPodLogs, err: exit(1, "error: no pods found")}}, "no pods found"},
		"request not served": {[]rule{{match: sqExec, out: Output{Stderr: curlSquid403}}}, "got 403, want 200"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(c.rules...)
			r := squidLog(context.Background(), testEnv(t, squidSpec(), f))
			assert.Equal(t, Fail, r.Status)
			assert.Contains(t, r.Evidence, c.want)
		})
	}
}

func TestSquidLogSkipsAnExistingProxy(t *testing.T) {
	spec := squidSpec()
	spec.SquidLogs = &SquidLogs{Kind: SquidLogsNone}
	f := newFake()
	r := squidLog(context.Background(), testEnv(t, spec, f))
	assert.Equal(t, Skip, r.Status)
	assert.Contains(t, r.Evidence, "existing proxy")
	assert.Empty(t, f.calls)
}

func taggedDecision(principal string) string {
	line := strings.Replace(extAuthzAllowedLine, "httpbingo.org/headers,", "httpbingo.org/headers?verify=n0nce123,", 1)
	return strings.Replace(line, "spiffe://cluster.local/ns/ns1/sa/sleep", principal, 1)
}

func TestExtAuthzLog(t *testing.T) {
	logs := extAuthzAllowedLine + "\n" + taggedDecision("spiffe://cluster.local/ns/ns1/sa/sleep") + "\n" + extAuthzDeniedLine
	f := newFake(allowed200(), rule{match: eaLogs, out: Output{Stdout: logs}})
	r := extAuthzLog(context.Background(), testEnv(t, squidSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, "principal spiffe://cluster.local/ns/ns1/sa/sleep", r.Evidence)
	assert.Contains(t, f.ran(sqExec)[0].line, "http://httpbingo.org/headers?verify=n0nce123")
}

func TestExtAuthzLogFails(t *testing.T) {
	noPrincipal := `2025/12/05 20:13:53 [gRPCv3][allowed]: httpbingo.org/headers?verify=n0nce123, attributes: source:{address:{socket_address:{address:"10.40.3.52"}}}`
	cases := map[string]struct {
		logs string
		want string
	}{
		"gateway's identity": {taggedDecision("spiffe://cluster.local/ns/agentgateway-egress/sa/egress-gateway"), "want spiffe://cluster.local/ns/ns1/sa/sleep"},
		"no principal":       {noPrincipal, "no source principal"},
		"untagged only":      {extAuthzAllowedLine, "no allowed decision"},
		"denied only":        {strings.Replace(taggedDecision("spiffe://cluster.local/ns/ns1/sa/sleep"), "[allowed]", "[denied]", 1), "no allowed decision"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(allowed200(), rule{match: eaLogs, out: Output{Stdout: c.logs}})
			r := extAuthzLog(context.Background(), testEnv(t, squidSpec(), f))
			assert.Equal(t, Fail, r.Status)
			assert.Contains(t, r.Evidence, c.want)
		})
	}
}

func bypassEnv(t *testing.T, f *fakeRunner) *Env {
	e := testEnv(t, squidSpec(), f)
	e.Resolve = func(ctx context.Context, host string) ([]string, error) {
		require.Equal(t, "httpbingo.org", host)
		return []string{"2a09:8280:1::3:4b52", "66.241.125.232"}, nil
	}
	return e
}

func TestBypassPassesWhenTheDirectCallTimesOut(t *testing.T) {
	f := newFake(rule{match: sqExec, out: Output{Stderr: curlTimeout}, err: exit(28, curlTimeout)})
	r := squidBypass(context.Background(), bypassEnv(t, f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Contains(t, r.Evidence, "curl: (28)")
	line := f.ran(sqExec)[0].line
	assert.Contains(t, line, "-H Host: httpbingo.org")
	assert.True(t, strings.HasSuffix(line, " http://66.241.125.232/headers"), line)
}

func TestBypassFails(t *testing.T) {
	cases := map[string]struct {
		out  Output
		err  error
		want string
	}{
		"egress is open":  {Output{Stderr: curlSquid200, Stdout: bodyHeadersPlain}, nil, "got HTTP 200"},
		"client missing":  {Output{Stderr: kubectlNotFound}, exit(1, kubectlNotFound), "curl may never have run"},
		"kubectl timeout": {Output{}, context.DeadlineExceeded, "curl may never have run"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(rule{match: sqExec, out: c.out, err: c.err})
			r := squidBypass(context.Background(), bypassEnv(t, f))
			assert.Equal(t, Fail, r.Status)
			assert.Contains(t, r.Evidence, c.want)
		})
	}
}

func TestBypassSkipsWhenTheDestinationDoesNotResolve(t *testing.T) {
	f := newFake()
	e := testEnv(t, squidSpec(), f)
	e.Resolve = func(context.Context, string) ([]string, error) { return nil, errors.New("no such host") }
	r := squidBypass(context.Background(), e)
	assert.Equal(t, Skip, r.Status)
	assert.Contains(t, r.Evidence, "no such host")
	assert.Empty(t, f.calls)
}
