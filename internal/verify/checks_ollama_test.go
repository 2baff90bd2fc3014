package verify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	execCurl = "exec deploy/curl-client -n egress-client -c client -- curl -sSv"
	withAuth = "x-force-authorized: true"
	gwLogs   = "logs -n egress -l gateway.networking.k8s.io/gateway-name=egress-kgateway --tail 2000"
)

func TestOllamaAllowedPasses(t *testing.T) {
	f := newFake(rule{match: execCurl, out: Output{Stderr: curlOllama200, Stdout: "Ollama is running"}})
	r := ollamaAllowed(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, `200 "Ollama is running"`, r.Evidence)

	calls := f.ran(execCurl)
	require.Len(t, calls, 1)
	line := calls[0].line
	assert.True(t, strings.HasPrefix(line, "kubectl --kubeconfig /tmp/kubeconfig-test "), line)
	assert.Contains(t, line, "-H Host: host.docker.internal -H "+withAuth+" http://egress-kgateway.egress.svc.cluster.local:8080/")
}

func TestOllamaAllowedFails(t *testing.T) {
	cases := map[string]struct {
		out  Output
		err  error
		want string
	}{
		"wrong body":       {Output{Stderr: curlOllama200, Stdout: "404 page not found"}, nil, "lacks"},
		"denied":           {Output{Stderr: curl403}, nil, "got 403, want 200"},
		"client missing":   {Output{Stderr: kubectlNotFound}, exit(1, kubectlNotFound), "NotFound"},
		"connection reset": {Output{Stderr: curlReset}, exit(56, curlReset), "exit code 56"},
		"garbled":          {Output{Stderr: "< HTTP/1.1 2"}, nil, "malformed"},
		"cut-off body":     {Output{Stderr: curlOllama200, Stdout: "Ollama is running"}, exit(18, "curl: (18) transfer closed"), "after a 200 response"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(rule{match: execCurl, out: c.out, err: c.err})
			r := ollamaAllowed(context.Background(), testEnv(t, ollamaSpec(), f))
			assert.Equal(t, Fail, r.Status)
			assert.Contains(t, r.Evidence, c.want)
		})
	}
}

func deniedRules(curl Output, logs string) []rule {
	return []rule{{match: execCurl, out: curl}, {match: gwLogs, out: Output{Stdout: logs}}}
}

func TestOllamaDeniedPassesOnThePolicysOwnDeny(t *testing.T) {
	f := newFake(deniedRules(Output{Stderr: curlPolicyDenied}, envoyLogs+envoyDeniedEntry)...)
	r := ollamaDenied(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, "403 x-egress-authz: denied, logged ext_authz_denied", r.Evidence)
	line := f.ran(execCurl)[0].line
	assert.NotContains(t, line, withAuth, "the denied request must not carry the header")
	assert.Contains(t, line, "?verify=n0nce123")
}

// Each case is the evidence of a broken path that a bare "403?" check would pass or miss.
func TestOllamaDeniedFails(t *testing.T) {
	noEvidence := ollamaSpec()
	noEvidence.DeniedEvidence = nil
	bodyEvidence := ollamaSpec()
	bodyEvidence.DeniedEvidence = &Evidence{Body: "denied by egress policy"}
	cases := map[string]struct {
		spec  Spec
		curl  Output
		logs  string
		wants string
	}{
		// statusOnError left at its default 403: the authz server is down, Envoy answers 403 on its own.
		"403 without the policy's header":  {ollamaSpec(), Output{Stderr: curl403}, envoyLogs + strings.Replace(envoyAuthzErrorEntry, `"status":503`, `"status":403`, 1), "without the policy's evidence"},
		"policy header but an authz error": {ollamaSpec(), Output{Stderr: curlPolicyDenied}, envoyLogs + envoyAuthzErrorEntry, `want "ext_authz_denied"`},
		"no evidence in the outputs":       {noEvidence, Output{Stderr: curlPolicyDenied}, envoyLogs + envoyDeniedEntry, "name no deny evidence"},
		"body evidence missing":            {bodyEvidence, Output{Stderr: curlPolicyDenied}, envoyLogs + envoyDeniedEntry, `lacks "denied by egress policy"`},
		"allowed":                          {ollamaSpec(), Output{Stderr: curlOllama200, Stdout: OllamaBanner}, envoyLogs, "got 200"},
		"no log entry":                     {ollamaSpec(), Output{Stderr: curlPolicyDenied}, strings.ReplaceAll(envoyLogs, "n0nce123", "0therreq"), "no gateway access-log entry"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(deniedRules(c.curl, c.logs)...)
			r := ollamaDenied(context.Background(), testEnv(t, c.spec, f))
			assert.Equal(t, Fail, r.Status, r.Evidence)
			assert.Contains(t, r.Evidence, c.wants)
		})
	}
}

// retryRules script a stopped Ollama: stop and start succeed, curl gets a 503, the gateway logged the request.
func retryRules(logs string) []rule {
	return []rule{
		{match: "docker stop ollama-server"},
		{match: "docker start ollama-server"},
		{match: execCurl, out: Output{Stderr: curl504, Stdout: body504}},
		{match: gwLogs, out: Output{Stdout: logs}},
	}
}

func TestOllamaRetriesPassesAndStartsOllamaAgain(t *testing.T) {
	f := newFake(retryRules(envoyLogs)...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, "504 response_flags=UT,URX attempt_count=4 details=upstream_per_try_timeout", r.Evidence)

	curl := f.ran(execCurl)
	require.Len(t, curl, 1)
	assert.Contains(t, curl[0].line, "http://egress-kgateway.egress.svc.cluster.local:8080/?verify=n0nce123")
	assert.Contains(t, curl[0].line, "--max-time 60", "curl outlasts the 30s route timeout")
	assert.Less(t, f.index("docker stop"), f.index(execCurl), "stopped before the request")
	assert.Greater(t, f.index("docker start"), f.index(gwLogs), "started again after reading the log")
	assert.Len(t, f.ran("docker start"), 1)
}

func TestOllamaRetriesWaitsForTheLogLine(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules = append([]rule{{match: gwLogs, out: Output{Stdout: "nothing yet\n"}, times: 2}}, rules...)
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Len(t, f.ran(gwLogs), 3)
}

// entry is a gateway access-log entry for this run's request.
func entry(status int, flags, details string, attempts int) string {
	return fmt.Sprintf(`{"attempt_count":%d,"authority":"host.docker.internal","path":"/?verify=n0nce123","response_flags":%q,"response_code_details":%q,"status":%d}`,
		attempts, flags, details, status)
}

func TestOllamaRetriesFails(t *testing.T) {
	cases := map[string]struct {
		logs string
		want string
	}{
		// The bug this check exists for: retryOn without reset, so a per-try timeout is never retried.
		"timeout not retried":  {entry(504, "UT,URX", "upstream_per_try_timeout", 1), "gives 504 UT,URX attempt_count 4"},
		"fewer tries":          {entry(504, "UT,URX", "upstream_per_try_timeout", 2), "attempt_count 4"},
		"more tries":           {entry(504, "UT,URX", "upstream_per_try_timeout", 5), "attempt_count 4"},
		"no retry flag":        {entry(504, "UT", "upstream_per_try_timeout", 4), "gives 504 UT,URX"},
		"no failure flag":      {entry(504, "URX", "upstream_per_try_timeout", 4), "want URX with UC (stopped), UF (refusing) or UT (paused)"},
		"reset not retried":    {entry(503, "UC", "upstream_reset_before_response_started{connection_termination}", 1), "gives 503 UC,URX attempt_count 4"},
		"wrong details":        {entry(504, "UT,URX", "upstream_response_timeout", 4), "upstream_per_try_timeout"},
		"only older entry":     {strings.ReplaceAll(envoyLogs, "n0nce123", "0therreq"), "no gateway access-log entry"},
		"other authority":      {strings.ReplaceAll(envoyLogs, "host.docker.internal", "elsewhere"), "no gateway access-log entry"},
		"truncated entry":      {entry(504, "UT,URX", "upstream_per_try_timeout", 4)[:60], "1 malformed lines"},
		"no access logging":    {"[info] starting\n", "among 0 entries"},
		"status disagrees log": {entry(503, "UT,URX", "upstream_per_try_timeout", 4), "gives 504 UT,URX"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(retryRules(c.logs)...)
			r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
			assert.Equal(t, Fail, r.Status, r.Evidence)
			assert.Contains(t, r.Evidence, c.want)
			assert.Len(t, f.ran("docker start"), 1)
		})
	}
}

// What a stopped Ollama gives behind ztunnel passes too: every try reset, then URX, 1 + attempts tries.
func TestOllamaRetriesAcceptsAStoppedBackend(t *testing.T) {
	rules := retryRules(entry(503, "UC,URX", "upstream_reset_before_response_started{connection_termination}", 4))
	rules[2].out = Output{Stderr: curl503, Stdout: body503}
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
}

// With the seed's defaults (3 retries of 10s in a 30s route timeout) the fourth try can never end on its own:
// the route timeout cuts the request at 30s after 3 tries, UT without URX. The check says why it fails.
func TestOllamaRetriesExplainsARouteTimeoutThatCutsRetriesShort(t *testing.T) {
	spec := ollamaSpec()
	spec.Retry = &RetryConfig{Attempts: 3, PerTryTimeout: "10s", RequestTimeout: "30s"}
	f := newFake(retryRules(entry(504, "UT", "upstream_response_timeout", 3))...)
	r := ollamaRetries(context.Background(), testEnv(t, spec, f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "route timeout cut the retries short")
}

func TestOllamaRetriesNeedsTheConfig(t *testing.T) {
	spec := ollamaSpec()
	spec.Retry = nil
	f := newFake()
	r := ollamaRetries(context.Background(), testEnv(t, spec, f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "verify.retry")
	assert.Empty(t, f.calls, "nothing stopped without a config to judge by")
}

func TestOllamaRetriesWantsA5xx(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[2].out = Output{Stderr: curlOllama200, Stdout: "Ollama is running"}
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "got 200 with Ollama stopped")
	assert.Len(t, f.ran("docker start"), 1)
}

func TestOllamaRetriesStartsOllamaWhenTheRequestTimesOut(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[2] = rule{match: execCurl, err: context.DeadlineExceeded}
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "deadline exceeded")
	require.Len(t, f.ran("docker start"), 1)
}

func TestOllamaRetriesStartsOllamaAfterInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rules := retryRules(envoyLogs)
	// SIGINT arrives while curl runs: the run's context is cancelled under it.
	rules[2] = rule{match: execCurl, do: func(context.Context) (Output, error) {
		cancel()
		return Output{}, context.Canceled
	}}
	f := newFake(rules...)
	r := ollamaRetries(ctx, testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	unpause := f.ran("docker start ollama-server")
	require.Len(t, unpause, 1)
	assert.NoError(t, unpause[0].ctxErr, "start must run with a live context after the interrupt")
}

func TestOllamaRetriesFailsWhenStartFails(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[1].err = exit(1, "Error response from daemon: Cannot start container")
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status, "a pass that leaves Ollama stopped is not a pass")
	assert.Contains(t, r.Evidence, "still stopped")
	assert.Contains(t, r.Evidence, "docker start ollama-server")
}

func TestOllamaRetriesStopsWhenPauseFails(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[0].err = exit(1, "Error response from daemon: No such container: ollama-server")
	rules[1].err = exit(1, "Error response from daemon: No such container: ollama-server")
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "No such container")
	assert.Empty(t, f.ran(execCurl), "no request without a stopped Ollama")
}

// An Ollama the stack does not run cannot be stopped by the check: it says so instead of failing or passing.
func TestOllamaRetriesSkipsAnExistingOllama(t *testing.T) {
	f := newFake(retryRules(envoyLogs)...)
	spec := ollamaSpec()
	spec.OllamaContainer = ""
	r := ollamaRetries(context.Background(), testEnv(t, spec, f))
	assert.Equal(t, Skip, r.Status)
	assert.Contains(t, r.Evidence, "ollamaMode existing")
	assert.Empty(t, f.calls, "nothing stopped, nothing sent")
}
