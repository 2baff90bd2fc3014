package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/verify"
)

const outputsJSON = `{"path":"ollama","kubeconfig":"apiVersion: v1\nkind: Config\n","clusterName":"egress-mesh",
 "verify":{"path":"ollama","clientNamespace":"egress-client","clientDeployment":"curl-client","clientContainer":"client",
 "clientServiceAccount":"curl-client","gatewayNamespace":"egress","gatewaySelector":"app=gw",
 "gatewayURL":"http://gw:8080/","hostHeader":"host.docker.internal","authzHeader":"x-force-authorized",
 "ollamaContainer":"ollama-server","ollamaEndpoint":"http://172.18.0.5:11434",
 "retry":{"attempts":3,"perTryTimeout":"5s","requestTimeout":"30s"},
 "authzServer":{"namespace":"kyverno-authz","deployment":"kyverno-authz-server","selector":"app=authz"},
 "authzErrorStatus":503}}`

// pulumiRunner answers `pulumi stack output` and records the arguments.
type pulumiRunner struct {
	args []string
	out  string
	err  error
}

func (r *pulumiRunner) Run(_ context.Context, name string, args ...string) (verify.Output, error) {
	r.args = append([]string{name}, args...)
	return verify.Output{Stdout: r.out}, r.err
}

func writeOutputs(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// kubeconfigProbe is a check that records what the kubeconfig file looked like while checks ran.
type kubeconfigProbe struct {
	path    string
	mode    os.FileMode
	content string
}

func (p *kubeconfigProbe) check(status verify.Status) verify.Check {
	return verify.Check{Name: "probe", Run: func(_ context.Context, e *verify.Env) verify.Result {
		p.path = e.Kubeconfig
		if st, err := os.Stat(e.Kubeconfig); err == nil {
			p.mode = st.Mode().Perm()
		}
		b, _ := os.ReadFile(e.Kubeconfig)
		p.content = string(b)
		return verify.Result{Status: status, Evidence: "probed"}
	}}
}

func testApp(r verify.Runner, checks ...verify.Check) (app, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return app{
		runner:    r,
		checksFor: func(verify.Spec) ([]verify.Check, error) { return checks, nil },
		stdout:    &out, stderr: &errOut,
	}, &out, &errOut
}

func TestRunWritesAPrivateKubeconfigAndDeletesIt(t *testing.T) {
	probe := &kubeconfigProbe{}
	a, out, _ := testApp(&pulumiRunner{}, probe.check(verify.Pass))
	code := a.run(context.Background(), options{outputsFile: writeOutputs(t, outputsJSON)})
	assert.Equal(t, 0, code)
	assert.Equal(t, os.FileMode(0o600), probe.mode)
	assert.Equal(t, "apiVersion: v1\nkind: Config\n", probe.content)
	_, err := os.Stat(probe.path)
	assert.True(t, errors.Is(err, os.ErrNotExist), "kubeconfig must be deleted after the run")
	assert.Contains(t, out.String(), "PASS  probe")
	assert.Contains(t, out.String(), "1 passed, 0 failed, 0 skipped")
}

func TestRunExitsOneOnAnyFailure(t *testing.T) {
	probe := &kubeconfigProbe{}
	a, out, _ := testApp(&pulumiRunner{}, probe.check(verify.Fail))
	code := a.run(context.Background(), options{outputsFile: writeOutputs(t, outputsJSON)})
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out.String(), "FAIL  probe")
	_, err := os.Stat(probe.path)
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

func TestRunReadsOutputsFromPulumiWithSecrets(t *testing.T) {
	r := &pulumiRunner{out: outputsJSON}
	probe := &kubeconfigProbe{}
	a, _, _ := testApp(r, probe.check(verify.Pass))
	code := a.run(context.Background(), options{stack: "dev", cwd: "/repo"})
	assert.Equal(t, 0, code)
	assert.Equal(t, "pulumi stack output --json --show-secrets --non-interactive --stack dev --cwd /repo", strings.Join(r.args, " "))
}

func TestRunRefusesBadOutputs(t *testing.T) {
	cases := map[string]struct {
		opts options
		r    *pulumiRunner
		want string
	}{
		"pulumi fails":    {options{stack: "dev"}, &pulumiRunner{err: errors.New("no stack named 'dev' found")}, "no stack named"},
		"secret withheld": {options{}, &pulumiRunner{out: strings.Replace(outputsJSON, `"apiVersion: v1\nkind: Config\n"`, `"[secret]"`, 1)}, "--show-secrets"},
		"missing file":    {options{outputsFile: "/nonexistent/outputs.json"}, &pulumiRunner{}, "no such file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ran := false
			a, out, errOut := testApp(c.r, verify.Check{Name: "x", Run: func(context.Context, *verify.Env) verify.Result {
				ran = true
				return verify.Result{Status: verify.Pass}
			}})
			code := a.run(context.Background(), c.opts)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, errOut.String(), c.want)
			assert.False(t, ran)
			assert.Empty(t, out.String())
		})
	}
}

func TestHelpShowsTheFlagsAndExitsZero(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		var out, errOut bytes.Buffer
		_, code, done := parseFlags([]string{arg}, &out, &errOut)
		assert.True(t, done)
		assert.Equal(t, 0, code, "help is not a usage error")
		for _, f := range []string{"-stack", "-outputs", "-cwd", "-timeout"} {
			assert.Contains(t, out.String(), f)
		}
		assert.Empty(t, errOut.String())
	}
}

func TestBadFlagsAreAUsageError(t *testing.T) {
	for _, args := range [][]string{{"--stak", "dev"}, {"--timeout", "soon"}, {"dev"}} {
		var out, errOut bytes.Buffer
		_, code, done := parseFlags(args, &out, &errOut)
		assert.True(t, done, args)
		assert.Equal(t, exitUsage, code, args)
		assert.Contains(t, errOut.String(), "Usage: verify", args)
		assert.Empty(t, out.String(), args)
	}
	opts, _, done := parseFlags([]string{"--stack", "squid", "--timeout", "2m"}, &bytes.Buffer{}, &bytes.Buffer{})
	assert.False(t, done)
	assert.Equal(t, options{stack: "squid", timeout: 2 * time.Minute}, opts)
}
