package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const l4Pod = "egress-verify-n0nce123"

func l4Rules(phase string, logs string) []rule {
	return []rule{
		{match: "get deploy/curl-client -n egress-client -o jsonpath=", out: Output{Stdout: "curlimages/curl:8.16.0"}},
		{match: "run " + l4Pod},
		{match: "get pod " + l4Pod, out: Output{Stdout: "Pending"}, times: 2},
		{match: "get pod " + l4Pod, out: Output{Stdout: phase}},
		{match: "logs " + l4Pod, out: Output{Stdout: logs}},
		{match: "delete pod " + l4Pod},
	}
}

func TestL4IdentityPassesWhenTheConnectionIsReset(t *testing.T) {
	f := newFake(l4Rules("Failed", curlReset)...)
	r := ollamaL4Identity(context.Background(), testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Pass, r.Status, r.Evidence)
	assert.Contains(t, r.Evidence, "curl: (56) Recv failure: Connection reset by peer")

	run := f.ran("run " + l4Pod)
	require.Len(t, run, 1)
	assert.Contains(t, run[0].line, "-n egress-client --image curlimages/curl:8.16.0")
	assert.Contains(t, run[0].line, `"serviceAccountName":"default"`)
	assert.Contains(t, run[0].line, "http://egress-kgateway.egress.svc.cluster.local:8080/")
	assert.Len(t, f.ran("delete pod "+l4Pod+" -n egress-client"), 1)
}

func TestL4IdentityFails(t *testing.T) {
	cases := map[string]struct {
		rules []rule
		want  string
	}{
		"gateway answered":     {l4Rules("Succeeded", curlOllama200+"Ollama is running"), "got HTTP 200"},
		"gateway denied at L7": {l4Rules("Succeeded", curl403), "got HTTP 403"},
		"pod never finished": {append([]rule{{match: "get pod " + l4Pod, out: Output{Stdout: "Pending"}}},
			l4Rules("Failed", curlReset)...), "still Pending"},
		"curl never ran":        {l4Rules("Failed", "exec: \"curl\": executable file not found in $PATH"), "curl may never have run"},
		"not a network failure": {l4Rules("Failed", "curl: (3) URL rejected: Bad hostname"), "not with a connection failure"},
		"exit status disagrees": {l4Rules("Succeeded", curlReset), "exit status disagrees"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(c.rules...)
			r := ollamaL4Identity(context.Background(), testEnv(t, ollamaSpec(), f))
			assert.Equal(t, Fail, r.Status)
			assert.Contains(t, r.Evidence, c.want)
			assert.Len(t, f.ran("delete pod "+l4Pod), 1, "the throwaway pod is always deleted")
		})
	}
}

func TestL4IdentityDeletesThePodAfterInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rules := l4Rules("Failed", curlReset)
	rules[2] = rule{match: "get pod " + l4Pod, do: func(context.Context) (Output, error) {
		cancel()
		return Output{Stdout: "Pending"}, nil
	}}
	f := newFake(rules...)
	r := ollamaL4Identity(ctx, testEnv(t, ollamaSpec(), f))
	assert.Equal(t, Fail, r.Status)
	del := f.ran("delete pod " + l4Pod)
	require.Len(t, del, 1)
	assert.NoError(t, del[0].ctxErr)
}

func TestL4IdentitySkipsWhenTheClientIsDefault(t *testing.T) {
	spec := ollamaSpec()
	spec.ClientServiceAccount = "default"
	f := newFake()
	r := ollamaL4Identity(context.Background(), testEnv(t, spec, f))
	assert.Equal(t, Skip, r.Status)
	assert.Contains(t, r.Evidence, "no other identity")
	assert.Empty(t, f.calls)
}
