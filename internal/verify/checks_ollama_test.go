package verify

import (
	"context"
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

func TestOllamaDenied(t *testing.T) {
	f := newFake(rule{match: execCurl, out: Output{Stderr: curl403}})
	r := ollamaDenied(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.NotContains(t, f.ran(execCurl)[0].line, withAuth, "the denied request must not carry the header")

	f = newFake(rule{match: execCurl, out: Output{Stderr: curlOllama200, Stdout: "Ollama is running"}})
	r = ollamaDenied(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "got 200")
}

// retryRules script a paused Ollama: pause and unpause succeed, curl gets a 503, the gateway logged the request.
func retryRules(logs string) []rule {
	return []rule{
		{match: "docker pause ollama-server"},
		{match: "docker unpause ollama-server"},
		{match: execCurl, out: Output{Stderr: curl503, Stdout: body503}},
		{match: gwLogs, out: Output{Stdout: logs}},
	}
}

func TestOllamaRetriesPassesAndUnpauses(t *testing.T) {
	f := newFake(retryRules(envoyLogs)...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Equal(t, "503 response_flags=URX,UF attempt_count=3", r.Evidence)

	curl := f.ran(execCurl)
	require.Len(t, curl, 1)
	assert.Contains(t, curl[0].line, "http://egress-kgateway.egress.svc.cluster.local:8080/?verify=n0nce123")
	assert.Less(t, f.index("docker pause"), f.index(execCurl), "paused before the request")
	assert.Greater(t, f.index("docker unpause"), f.index(gwLogs), "unpaused after reading the log")
	assert.Len(t, f.ran("docker unpause"), 1)
}

func TestOllamaRetriesWaitsForTheLogLine(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules = append([]rule{{match: gwLogs, out: Output{Stdout: "nothing yet\n"}, times: 2}}, rules...)
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Len(t, f.ran(gwLogs), 3)
}

func TestOllamaRetriesFails(t *testing.T) {
	entry := func(flags, attempts string) string {
		return `{"attempt_count":` + attempts + `,"authority":"host.docker.internal","path":"/?verify=n0nce123","response_flags":"` + flags + `","status":503}`
	}
	cases := map[string]struct {
		logs string
		want string
	}{
		"no retry flag":     {entry("UF", "3"), "want flags URX,UF"},
		"timeout, not UF":   {entry("URX,UT", "3"), "want flags URX,UF"},
		"single attempt":    {entry("URX,UF", "1"), "want attempt_count > 1"},
		"only older entry":  {strings.ReplaceAll(envoyLogs, "n0nce123", "0therreq"), "no gateway access-log entry"},
		"other authority":   {strings.ReplaceAll(envoyLogs, "host.docker.internal", "elsewhere"), "no gateway access-log entry"},
		"truncated entry":   {entry("URX,UF", "3")[:60], "1 malformed lines"},
		"no access logging": {"[info] starting\n", "among 0 entries"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(retryRules(c.logs)...)
			r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
			assert.Equal(t, Fail, r.Status)
			assert.Contains(t, r.Evidence, c.want)
			assert.Len(t, f.ran("docker unpause"), 1)
		})
	}
}

func TestOllamaRetriesWantsA5xx(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[2].out = Output{Stderr: curlOllama200, Stdout: "Ollama is running"}
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "got 200 with Ollama paused")
	assert.Len(t, f.ran("docker unpause"), 1)
}

func TestOllamaRetriesUnpausesWhenTheRequestTimesOut(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[2] = rule{match: execCurl, err: context.DeadlineExceeded}
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "deadline exceeded")
	require.Len(t, f.ran("docker unpause"), 1)
}

func TestOllamaRetriesUnpausesAfterInterrupt(t *testing.T) {
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
	unpause := f.ran("docker unpause ollama-server")
	require.Len(t, unpause, 1)
	assert.NoError(t, unpause[0].ctxErr, "unpause must run with a live context after the interrupt")
}

func TestOllamaRetriesFailsWhenUnpauseFails(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[1].err = exit(1, "Error response from daemon: Cannot unpause container")
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status, "a pass that leaves Ollama paused is not a pass")
	assert.Contains(t, r.Evidence, "still paused")
	assert.Contains(t, r.Evidence, "docker unpause ollama-server")
}

func TestOllamaRetriesStopsWhenPauseFails(t *testing.T) {
	rules := retryRules(envoyLogs)
	rules[0].err = exit(1, "Error response from daemon: No such container: ollama-server")
	rules[1].err = exit(1, "Error response from daemon: No such container: ollama-server")
	f := newFake(rules...)
	r := ollamaRetries(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	assert.Contains(t, r.Evidence, "No such container")
	assert.Empty(t, f.ran(execCurl), "no request without a paused Ollama")
}
