package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	authzDeploy  = "deploy/kyverno-authz-server -n kyverno-authz"
	authzPods    = "get pods -n kyverno-authz -l app.kubernetes.io/name=kyverno-authz-server -o name"
	authzScale0  = "scale " + authzDeploy + " --replicas=0"
	authzScale2  = "scale " + authzDeploy + " --replicas=2"
	authzRollout = "rollout status " + authzDeploy
)

// authzDownRules script an authz server with 2 replicas that goes away, then answers from the gateway: first
// `during` (one request while it is down), then `after` (the recovery probe).
func authzDownRules(during Output, logs string, after Output) []rule {
	return []rule{
		{match: "get " + authzDeploy + " -o jsonpath={.spec.replicas}", out: Output{Stdout: "2"}},
		{match: authzScale0},
		{match: authzPods, out: Output{Stdout: "pod/kyverno-authz-server-7d9f-abcde\n"}, times: 1},
		{match: authzPods, out: Output{Stdout: ""}},
		{match: execCurl, out: during, times: 1},
		{match: execCurl, out: after},
		{match: gwLogs, out: Output{Stdout: logs}},
		{match: authzScale2},
		{match: authzRollout},
	}
}

func TestOllamaFailClosedPassesOnStatusOnErrorAndRecovers(t *testing.T) {
	f := newFake(authzDownRules(Output{Stderr: curlAuthzDown}, envoyLogs+envoyAuthzErrorEntry,
		Output{Stderr: curlOllama200, Stdout: OllamaBanner})...)
	r := ollamaFailClosed(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, `503 UAEX ext_authz_error; restored to 2 replicas: 200 "Ollama is running"`, r.Evidence)

	assert.Less(t, f.index(authzScale0), f.index(execCurl), "scaled down before the request")
	assert.Len(t, f.ran(authzPods), 2, "waited until the pods were gone")
	assert.Contains(t, f.ran(execCurl)[0].line, withAuth, "an authorised request: only an outage can refuse it")
	assert.Greater(t, f.index(authzScale2), f.index(gwLogs), "restored after the evidence was read")
	assert.Less(t, f.index(authzRollout), len(f.calls)-1, "the recovery request comes after the rollout")
	assert.Len(t, f.ran(execCurl), 2)
}

// Each case is what a broken path shows while the authz server is down.
func TestOllamaFailClosedFails(t *testing.T) {
	authz403 := `{"attempt_count":0,"authority":"host.docker.internal","path":"/?verify=n0nce123","response_code_details":"ext_authz_error","response_flags":"UAEX","status":403}`
	served := Output{Stderr: curlOllama200, Stdout: OllamaBanner}
	cases := map[string]struct {
		during Output
		logs   string
		after  Output
		want   string
	}{
		// statusOnError left at its default: indistinguishable from a denial.
		"403":             {Output{Stderr: curl403}, envoyLogs + authz403, served, "403 is what a denial looks like"},
		"fail open":       {served, envoyLogs, served, "fail open"},
		"503 from Ollama": {Output{Stderr: curl503, Stdout: body503}, envoyLogs + entry(503, "UC,URX", "upstream_reset_before_response_started{connection_termination}", 4), served, `want UAEX and "ext_authz_error"`},
		"no recovery":     {Output{Stderr: curlAuthzDown}, envoyLogs + envoyAuthzErrorEntry, Output{Stderr: curlAuthzDown}, "did not recover"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(authzDownRules(c.during, c.logs, c.after)...)
			r := ollamaFailClosed(context.Background(), testEnv(t, ollamaSpec(), f))
			assert.Equal(t, Fail, r.Status, r.Evidence)
			assert.Contains(t, r.Evidence, c.want)
			assert.Len(t, f.ran(authzScale2), 1, "always restored")
		})
	}
}

func TestFailClosedRestoresAfterInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rules := authzDownRules(Output{}, "", Output{})
	rules[4] = rule{match: execCurl, do: func(context.Context) (Output, error) {
		cancel() // the signal arrives while the request runs
		return Output{}, context.Canceled
	}}
	f := newFake(rules...)
	r := ollamaFailClosed(ctx, testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	restore := f.ran(authzScale2)
	require.Len(t, restore, 1)
	assert.NoError(t, restore[0].ctxErr, "restored with a live context after the interrupt")
	assert.NoError(t, f.ran(authzRollout)[0].ctxErr)
	assert.Len(t, f.ran(execCurl), 1, "no recovery probe once interrupted")
}

func TestFailClosedSaysHowToRestoreWhenItCannot(t *testing.T) {
	rules := authzDownRules(Output{Stderr: curlAuthzDown}, envoyLogs+envoyAuthzErrorEntry, Output{})
	rules[8].err = exit(1, "error: timed out waiting for the condition")
	f := newFake(rules...)
	r := ollamaFailClosed(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status, "a pass that leaves the authz server down is not a pass")
	assert.Contains(t, r.Evidence, "run `kubectl scale deploy/kyverno-authz-server -n kyverno-authz --replicas=2`")
}

func TestFailClosedRestoresWhenThePodsNeverGo(t *testing.T) {
	rules := authzDownRules(Output{}, "", Output{})
	rules[2].times = 0 // the pod stays forever
	f := newFake(rules...)
	r := ollamaFailClosed(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "did not go")
	assert.Empty(t, f.ran(execCurl), "no request while a terminating pod may still answer")
	assert.Len(t, f.ran(authzScale2), 1)
}

func TestFailClosedRefusesAServerAlreadyAtZero(t *testing.T) {
	f := newFake(rule{match: "get " + authzDeploy + " -o jsonpath={.spec.replicas}", out: Output{Stdout: "0"}})
	r := ollamaFailClosed(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "want at least 1")
	assert.Empty(t, f.ran("scale"))
}

func TestOllamaBypass(t *testing.T) {
	const direct = "http://172.18.0.5:11434/"
	gateway := rule{match: "Host: host.docker.internal", out: Output{Stderr: curlOllama200, Stdout: OllamaBanner}}
	blockedDirect := rule{match: direct, out: Output{Stderr: curlTimeout}, err: exit(28, curlTimeout)}
	f := newFake(blockedDirect, gateway)
	r := ollamaBypass(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Contains(t, r.Evidence, "curl: (28)")
	assert.Less(t, f.index("Host: host.docker.internal"), f.index(direct), "the gateway call first")

	// The container answers the client directly: the NetworkPolicy is missing.
	f = newFake(rule{match: direct, out: Output{Stderr: curlOllama200, Stdout: OllamaBanner}}, gateway)
	r = ollamaBypass(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "got HTTP 200")

	// Everything down looks like a block; the gateway call tells it apart.
	f = newFake(rule{match: execCurl, out: Output{Stderr: curlTimeout}, err: exit(28, curlTimeout)})
	r = ollamaBypass(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "through the gateway must succeed first")
}
