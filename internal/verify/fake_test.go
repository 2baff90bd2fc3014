package verify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// rule scripts the answer to every command whose command line contains match. times > 0 limits how often it
// answers; the first rule with uses left wins, so a limited rule before an unlimited one scripts "first X, then Y".
type rule struct {
	match string
	out   Output
	err   error
	times int
	do    func(ctx context.Context) (Output, error) // overrides out/err
}

type call struct {
	line   string
	ctxErr error // the context's state when the command was run
}

// fakeRunner answers from rules and records every call; an unscripted command is an error the test sees.
type fakeRunner struct {
	mu    sync.Mutex
	rules []*rule
	calls []call
}

func newFake(rules ...rule) *fakeRunner {
	f := &fakeRunner{}
	for i := range rules {
		f.rules = append(f.rules, &rules[i])
	}
	return f
}

func (f *fakeRunner) Run(ctx context.Context, name string, args ...string) (Output, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	f.mu.Lock()
	f.calls = append(f.calls, call{line: line, ctxErr: ctx.Err()})
	var hit *rule
	for _, r := range f.rules {
		if strings.Contains(line, r.match) && r.times >= 0 {
			hit = r
			if r.times > 0 {
				r.times--
				if r.times == 0 {
					r.times = -1 // used up
				}
			}
			break
		}
	}
	f.mu.Unlock()
	if hit == nil {
		return Output{}, fmt.Errorf("fake: unscripted command %q", line)
	}
	if hit.do != nil {
		return hit.do(ctx)
	}
	return hit.out, hit.err
}

// ran returns the recorded calls whose line contains s.
func (f *fakeRunner) ran(s string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if strings.Contains(c.line, s) {
			out = append(out, c)
		}
	}
	return out
}

// index is the position of the first call containing s, or -1.
func (f *fakeRunner) index(s string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.calls {
		if strings.Contains(c.line, s) {
			return i
		}
	}
	return -1
}

func exit(code int, stderr string) error {
	return &ExitError{Command: "kubectl", Code: code, Stderr: stderr}
}

// testEnv has a fixed nonce and clock and never sleeps, so checks run instantly and deterministically.
func testEnv(t *testing.T, spec Spec, f *fakeRunner) *Env {
	t.Helper()
	e := NewEnv(f, "/tmp/kubeconfig-test", spec)
	e.Nonce = func() string { return "n0nce123" }
	e.Now = func() time.Time { return time.Unix(1764965440, 0) }
	e.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	e.Resolve = func(ctx context.Context, host string) ([]string, error) {
		return nil, fmt.Errorf("fake: no resolver scripted for %s", host)
	}
	e.LogPolls = 3
	return e
}

func ollamaSpec() Spec {
	return Spec{
		Path: PathOllama, ClientNamespace: "egress-client", ClientDeployment: "curl-client", ClientContainer: "client",
		ClientServiceAccount: "curl-client", GatewayNamespace: "egress",
		GatewaySelector: "gateway.networking.k8s.io/gateway-name=egress-kgateway",
		GatewayURL:      "http://egress-kgateway.egress.svc.cluster.local:8080/",
		HostHeader:      "host.docker.internal", AuthzHeader: "x-force-authorized", OllamaContainer: "ollama-server",
		OllamaEndpoint: "http://172.18.0.5:11434",
		Retry:          &RetryConfig{Attempts: 3, PerTryTimeout: "5s", RequestTimeout: "30s"},
		DeniedEvidence: &Evidence{Header: "x-egress-authz", Value: "denied"},
		AuthzServer: &Workload{Namespace: "kyverno-authz", Deployment: "kyverno-authz-server",
			Selector: "app.kubernetes.io/name=kyverno-authz-server"},
		AuthzErrorStatus: 503,
	}
}

func squidSpec() Spec {
	return Spec{
		Path: PathSquid, ClientNamespace: "ns1", ClientDeployment: "sleep", ClientContainer: "client",
		ClientServiceAccount: "sleep", DestinationURL: "http://httpbingo.org/headers",
		ExtAuthzNamespace: "ext-authz", ExtAuthzSelector: "app=ext-authz",
		SquidLogs:   &SquidLogs{Kind: SquidLogsPod, Namespace: "proxy", Selector: "app=squid", Container: "squid"},
		SquidProxy:  "squid.proxy.svc.cluster.local:3128",
		AuthzServer: &Workload{Namespace: "ext-authz", Deployment: "ext-authz", Selector: "app=ext-authz"},
		// agentgateway v1.4.1 answers a failed ext-authz call with 403 (see AgentgatewayAuthzFailed).
		AuthzErrorStatus: 403,
		TLSDestinations:  []TLSDestination{{URL: "http://api.openai.com/v1/models", Connect: "api.openai.com:443"}},
	}
}
