package verify

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OllamaBanner is what Ollama answers on GET /.
const OllamaBanner = "Ollama is running"

// RetryFlags must all appear in the gateway's access-log entry for a request to the paused Ollama: URX (retry
// limit exceeded) and UF (upstream connection failure), as the seed shows.
var RetryFlags = []string{"URX", "UF"}

// OllamaChecks are the checks of the kgateway + Ollama path, in the order they run.
func OllamaChecks() []Check {
	return []Check{
		{Name: "allowed", Proves: "an authorised request through the gateway reaches Ollama", Run: ollamaAllowed},
		{Name: "denied", Proves: "a request without the authz header is refused by the Kyverno authz server (403)", Run: ollamaDenied},
		{Name: "retries", Proves: "with Ollama paused the gateway retries and fails with URX,UF", Run: ollamaRetries},
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

func ollamaDenied(ctx context.Context, e *Env) Result {
	resp, err := e.ollamaCurl(ctx, 20, false, e.Spec.GatewayURL)
	if err != nil {
		return fail("request failed: %v", err)
	}
	if resp.Status != 403 {
		return fail("got %d without %s, want 403", resp.Status, e.Spec.AuthzHeader)
	}
	return pass("403 without %s", e.Spec.AuthzHeader)
}

// ollamaRetries pauses Ollama, sends one tagged request and reads the gateway's access-log entry for it. Ollama
// is unpaused on every way out, a cancelled context (Ctrl-C) included; failing to unpause fails the check.
func ollamaRetries(ctx context.Context, e *Env) (r Result) {
	s := e.Spec
	nonce := e.Nonce()
	_, pauseErr := e.docker(ctx, time.Minute, "pause", s.OllamaContainer)
	defer func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, err := e.docker(cctx, time.Minute, "unpause", s.OllamaContainer); err != nil && pauseErr == nil {
			r = fail("%s; and Ollama is still paused, run `docker unpause %s`: %v", r.Evidence, s.OllamaContainer, err)
		}
	}()
	if pauseErr != nil {
		return fail("docker pause %s: %v", s.OllamaContainer, pauseErr)
	}

	// Retries times per-try timeout can approach the request timeout; give curl more than both.
	resp, err := e.ollamaCurl(ctx, 90, true, withQuery(s.GatewayURL, "verify="+nonce))
	if err != nil {
		return fail("request failed: %v", err)
	}
	if resp.Status < 500 {
		return fail("got %d with Ollama paused, want 5xx", resp.Status)
	}

	var entry EnvoyEntry
	read := func(ctx context.Context) (string, error) {
		return e.logs(ctx, s.GatewayNamespace, s.GatewaySelector, "")
	}
	err = e.pollLogs(ctx, read, func(logs string) error {
		var err error
		entry, err = LastEnvoyEntry(logs, func(x EnvoyEntry) bool {
			return strings.EqualFold(x.Authority, s.HostHeader) && strings.Contains(x.Path, nonce)
		})
		return err
	})
	if err != nil {
		return fail("%d, but no gateway access-log entry for the request (path tagged verify=%s): %v", resp.Status, nonce, err)
	}
	evidence := fmt.Sprintf("%d response_flags=%s attempt_count=%d", resp.Status, entry.ResponseFlags, entry.AttemptCount)
	if !entry.HasFlags(RetryFlags...) {
		return fail("%s, want flags %s: %s", evidence, strings.Join(RetryFlags, ","), entry.Line)
	}
	if entry.AttemptCount <= 1 {
		return fail("%s, want attempt_count > 1 (no retry happened): %s", evidence, entry.Line)
	}
	return pass("%s", evidence)
}
