package verify

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OllamaBanner is what Ollama answers on GET /.
const OllamaBanner = "Ollama is running"

// Envoy's ext_authz filter names its local replies in response_code_details
// (source/extensions/filters/http/ext_authz/ext_authz.cc, RcDetailsValues): "ext_authz_denied" when the server
// decided, "ext_authz_error" when it could not be asked and the filter failed closed. Both carry flag UAEX.
const (
	DetailsAuthzDenied = "ext_authz_denied"
	DetailsAuthzError  = "ext_authz_error"
	FlagAuthz          = "UAEX"
)

// OllamaChecks are the checks of the kgateway + Ollama path, in the order they run.
func OllamaChecks() []Check {
	return []Check{
		{Name: "allowed", Proves: "an authorised request through the gateway reaches Ollama", Run: ollamaAllowed},
		{Name: "denied", Proves: "a request without the authz header is refused by the Kyverno policy itself (403 with the policy's evidence, logged ext_authz_denied)", Run: ollamaDenied},
		{Name: "retries", Proves: "with Ollama stopped the gateway retries as configured: URX with UC, UF or UT and the attempt_count Envoy's retry semantics give", Run: ollamaRetries},
		{Name: "bypass", Proves: "the client cannot reach the Ollama container's own address, while the gateway can", Run: ollamaBypass},
		{Name: "fail-closed", Proves: "with the authz server scaled to zero an authorised request fails with statusOnError (logged ext_authz_error), and passes again once it is back", Run: ollamaFailClosed},
		{Name: "l4-identity", Proves: "a pod with another service account cannot reach the gateway", Run: ollamaL4Identity},
	}
}

func (e *Env) ollamaCurl(ctx context.Context, maxTime int, authorised bool, url string) (Response, error) {
	s := e.Spec
	args := []string{"-H", "Host: " + s.HostHeader}
	if authorised {
		args = append(args, "-H", s.AuthzHeader+": true")
	}
	return response(e.clientCurl(ctx, maxTime, append(args, url)...))
}

func ollamaAllowed(ctx context.Context, e *Env) Result {
	resp, err := e.ollamaCurl(ctx, 20, true, e.Spec.GatewayURL)
	return ollamaServed(resp, err)
}

// ollamaServed is the verdict on a request that must reach Ollama.
func ollamaServed(resp Response, err error) Result {
	if err != nil {
		return fail("request failed: %v", err)
	}
	if resp.Status != 200 {
		return fail("got %d, want 200: %s", resp.Status, snippet(resp.Body))
	}
	if !strings.Contains(resp.Body, OllamaBanner) {
		return fail("200 but the body lacks %q: %s", OllamaBanner, snippet(resp.Body))
	}
	return pass("200 %q", OllamaBanner)
}

// ollamaDenied needs two independent proofs that the Kyverno server decided: the response carries the
// policy's own deny evidence, and the gateway logged the request as ext_authz_denied (not ext_authz_error,
// which is what a 403 from statusOnError's default looks like).
func ollamaDenied(ctx context.Context, e *Env) Result {
	s := e.Spec
	nonce := e.Nonce()
	resp, err := e.ollamaCurl(ctx, 20, false, withQuery(s.GatewayURL, "verify="+nonce))
	if err != nil {
		return fail("request failed: %v", err)
	}
	if resp.Status != 403 {
		return fail("got %d without %s, want 403", resp.Status, s.AuthzHeader)
	}
	if s.DeniedEvidence == nil {
		return fail("403, but the stack outputs name no deny evidence (verify.deniedEvidence): a bare 403 is also what an unreachable authz server gives")
	}
	shown, err := s.DeniedEvidence.FoundIn(resp)
	if err != nil {
		return fail("403 without the policy's evidence: %v", err)
	}
	entry, err := e.gatewayEntry(ctx, nonce)
	if err != nil {
		return fail("403 %s, but %v", shown, err)
	}
	if entry.ResponseCodeDetails != DetailsAuthzDenied {
		return fail("403 %s, but the gateway logged response_code_details=%q, want %q: %s", shown,
			entry.ResponseCodeDetails, DetailsAuthzDenied, snippet(entry.Line))
	}
	return pass("403 %s, logged %s", shown, DetailsAuthzDenied)
}

// FoundIn reports where the evidence shows in resp, or why it does not.
func (ev Evidence) FoundIn(resp Response) (string, error) {
	if ev.Header == "" && ev.Body == "" {
		return "", fmt.Errorf("the evidence names neither a header nor a body")
	}
	var shown []string
	if ev.Header != "" {
		got := resp.Header.Values(ev.Header)
		if !containsFold(got, ev.Value) {
			return "", fmt.Errorf("header %s is %q, want %q", ev.Header, got, ev.Value)
		}
		shown = append(shown, ev.Header+": "+ev.Value)
	}
	if ev.Body != "" {
		if !strings.Contains(resp.Body, ev.Body) {
			return "", fmt.Errorf("body %q lacks %q", snippet(resp.Body), ev.Body)
		}
		shown = append(shown, fmt.Sprintf("body %q", ev.Body))
	}
	return strings.Join(shown, ", "), nil
}

func containsFold(values []string, want string) bool {
	for _, v := range values {
		if strings.EqualFold(strings.TrimSpace(v), want) {
			return true
		}
	}
	return false
}

// gatewayEntry reads the gateway's access-log entry for the request tagged with nonce.
func (e *Env) gatewayEntry(ctx context.Context, nonce string) (EnvoyEntry, error) {
	s := e.Spec
	var entry EnvoyEntry
	read := func(ctx context.Context) (string, error) {
		return e.logs(ctx, s.GatewayNamespace, s.GatewaySelector, "")
	}
	err := e.pollLogs(ctx, read, func(logs string) error {
		var err error
		entry, err = LastEnvoyEntry(logs, func(x EnvoyEntry) bool {
			return strings.EqualFold(x.Authority, s.HostHeader) && strings.Contains(x.Path, nonce)
		})
		return err
	})
	if err != nil {
		return EnvoyEntry{}, fmt.Errorf("no gateway access-log entry for the request (path tagged verify=%s): %w", nonce, err)
	}
	return entry, nil
}

// ollamaRetries stops Ollama, sends one tagged request and reads the gateway's access-log entry for it. Ollama
// is started again on every way out, a cancelled context (Ctrl-C) included; failing to start it fails the check.
//
// Stopped, not paused: a paused container's kernel still accepts the connection, so every try runs into the
// per-try timeout (UT) and, with the seed's 3 retries x 10 s in a 30 s request, the route timeout ends the request
// before the retries run out: no URX, whatever Envoy does right. A stopped one fails each try at once (UC behind
// ztunnel), so the retries run out and Envoy logs URX with 1 + attempts tries (see RetryConfig.Expect).
func ollamaRetries(ctx context.Context, e *Env) (r Result) {
	s := e.Spec
	if s.Retry == nil {
		return fail("the stack outputs carry no retry config (verify.retry)")
	}
	route, err := optionalDuration(s.Retry.RequestTimeout)
	if err != nil {
		return fail("verify.retry.requestTimeout %q: %v", s.Retry.RequestTimeout, err)
	}
	if route == 0 {
		route = envoyDefaultRouteTimeout
	}
	if s.OllamaContainer == "" {
		return skip("Ollama is not run by this stack (ollamaMode existing): stop it yourself and send the allowed request to see the retries")
	}
	nonce := e.Nonce()
	_, stopErr := e.docker(ctx, 2*time.Minute, "stop", s.OllamaContainer)
	defer func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, err := e.docker(cctx, time.Minute, "start", s.OllamaContainer); err != nil && stopErr == nil {
			r = fail("%s; and Ollama is still stopped, run `docker start %s`: %v", r.Evidence, s.OllamaContainer, err)
		}
	}()
	if stopErr != nil {
		return fail("docker stop %s: %v", s.OllamaContainer, stopErr)
	}

	// The route timeout bounds the whole request, retries included; curl waits longer than that.
	resp, err := e.ollamaCurl(ctx, int(route/time.Second)+30, true, withQuery(s.GatewayURL, "verify="+nonce))
	if err != nil {
		return fail("request failed: %v", err)
	}
	if resp.Status < 500 {
		return fail("got %d with Ollama stopped, want 5xx", resp.Status)
	}
	entry, err := e.gatewayEntry(ctx, nonce)
	if err != nil {
		return fail("%d, but %v", resp.Status, err)
	}
	return judgeRetries(*s.Retry, resp.Status, entry)
}

// judgeRetries compares the logged entry with what Envoy's retry semantics give for the configured policy.
func judgeRetries(cfg RetryConfig, status int, entry EnvoyEntry) Result {
	evidence := fmt.Sprintf("%d response_flags=%s attempt_count=%d details=%s", status, entry.ResponseFlags,
		entry.AttemptCount, entry.ResponseCodeDetails)
	failure := ""
	for _, f := range []string{FlagTermination, FlagConnFailure, FlagTimeout} {
		if entry.HasFlags(f) {
			failure = f
		}
	}
	if failure == "" {
		return fail("%s, want URX with UC (stopped), UF (refusing) or UT (paused): %s", evidence, entry.Line)
	}
	outcomes, err := cfg.Expect(failure)
	if err != nil {
		return fail("%s: %v", evidence, err)
	}
	var want []string
	matched := false
	for _, o := range outcomes {
		want = append(want, o.String())
		matched = matched || (o.Matches(entry) && o.Status == status)
	}
	config := fmt.Sprintf("retry.attempts=%d perTryTimeout=%q requestTimeout=%q", cfg.Attempts, cfg.PerTryTimeout, cfg.RequestTimeout)
	if !matched {
		return fail("%s, but %s gives %s: %s", evidence, config, strings.Join(want, " or "), entry.Line)
	}
	if entry.AttemptCount <= 1 {
		return fail("%s: no retry happened (%s allows none for %s)", evidence, config, failure)
	}
	if !entry.HasFlags(FlagRetryLimit) {
		return fail("%s: the route timeout cut the retries short before they ran out (%s); want URX", evidence, config)
	}
	return pass("%s", evidence)
}

// ollamaBypass proves the gateway is the only way to Ollama: the gateway call succeeds (so Ollama is up and
// reachable) and the same client's direct call to the container's address fails at the network.
func ollamaBypass(ctx context.Context, e *Env) Result {
	if r := ollamaAllowed(ctx, e); r.Status != Pass {
		return fail("the call through the gateway must succeed first: %s", r.Evidence)
	}
	direct := strings.TrimSuffix(e.Spec.OllamaEndpoint, "/") + "/"
	return e.directCall(ctx, direct)
}

// directCall has the client call url around the gateway and passes only when the network refused it.
func (e *Env) directCall(ctx context.Context, url string, curlArgs ...string) Result {
	out, runErr := e.clientCurl(ctx, 10, append(curlArgs, url)...)
	evidence, ok, reason := blocked(out.Stderr + "\n" + out.Stdout)
	if !ok && runErr != nil && !strings.Contains(reason, "got HTTP") {
		return fail("direct call to %s: %s (%v)", url, reason, runErr)
	}
	if !ok {
		return fail("direct call to %s: %s", url, reason)
	}
	return pass("direct call to %s: %s", url, evidence)
}

// ollamaFailClosed scales the Kyverno authz server to zero, requires that an authorised request (which a
// working server would allow) fails with the GatewayExtension's statusOnError and is logged ext_authz_error,
// then restores the server and requires the same request to pass again.
func ollamaFailClosed(ctx context.Context, e *Env) Result {
	s := e.Spec
	return e.withoutAuthz(ctx, func(ctx context.Context) Result {
		nonce := e.Nonce()
		resp, err := e.ollamaCurl(ctx, 20, true, withQuery(s.GatewayURL, "verify="+nonce))
		if err != nil {
			return fail("request failed: %v", err)
		}
		if resp.Status != s.AuthzErrorStatus {
			return fail("got %d with the authz server down, want statusOnError %d%s", resp.Status, s.AuthzErrorStatus,
				deniedHint(resp.Status))
		}
		entry, err := e.gatewayEntry(ctx, nonce)
		if err != nil {
			return fail("%d, but %v", resp.Status, err)
		}
		if entry.ResponseCodeDetails != DetailsAuthzError || !entry.HasFlags(FlagAuthz) {
			return fail("%d, but the gateway logged response_flags=%s details=%q, want %s and %q", resp.Status,
				entry.ResponseFlags, entry.ResponseCodeDetails, FlagAuthz, DetailsAuthzError)
		}
		return pass("%d %s %s", resp.Status, FlagAuthz, DetailsAuthzError)
	}, func(ctx context.Context) Result {
		return ollamaAllowed(ctx, e)
	})
}

func deniedHint(status int) string {
	switch {
	case status == 403:
		return ": 403 is what a denial looks like, so an outage cannot be told from a decision"
	case status < 300:
		return ": the gateway let the request through without a decision (fail open)"
	}
	return ""
}
