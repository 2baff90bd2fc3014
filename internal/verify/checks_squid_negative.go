package verify

import (
	"context"
	"strings"
	"time"
)

// AgentgatewayAuthzFailed is the body of agentgateway's own reply when its ext-authz call fails and the policy
// fails closed: FailureMode::Deny -> ProxyError::ExternalAuthorizationFailed(None), whose Display is
// `#[error("external authorization failed")]`, answered by into_response() as
// `status.unwrap_or(StatusCode::FORBIDDEN)` with the message as a text/plain body (crates/agentgateway/src/
// proxy/mod.rs, http/ext_authz.rs at v1.4.1). The v1.4.1 CRD offers only FailClosed/FailOpen, no status, so 403
// it is; this body and the missing X-Ext-Authz-Check-Result tell it from a decision.
const AgentgatewayAuthzFailed = "external authorization failed"

// squidFailClosed scales the sample ext-authz server to zero and requires agentgateway's own failure reply to
// an authorised request, then the allowed path again once the server is back.
func squidFailClosed(ctx context.Context, e *Env) Result {
	s := e.Spec
	return e.withoutAuthz(ctx, func(ctx context.Context) Result {
		resp, err := e.destCurl(ctx, true, s.DestinationURL)
		if err != nil {
			return fail("request failed: %v", err)
		}
		if resp.Status != s.AuthzErrorStatus {
			return fail("got %d with ext-authz down, want %d%s", resp.Status, s.AuthzErrorStatus, failOpenHint(resp.Status))
		}
		if got := resp.Header.Values(ResultHeader); len(got) > 0 {
			return fail("%d carries %s: %q, so ext-authz answered: it was not down", resp.Status, ResultHeader, got)
		}
		if !strings.Contains(resp.Body, AgentgatewayAuthzFailed) {
			return fail("%d without agentgateway's %q body: %s", resp.Status, AgentgatewayAuthzFailed, snippet(resp.Body))
		}
		return pass("%d %q", resp.Status, AgentgatewayAuthzFailed)
	}, func(ctx context.Context) Result {
		return squidAllowed(ctx, e)
	})
}

func failOpenHint(status int) string {
	if status < 300 {
		return ": the gateway let the request through without a decision (fail open)"
	}
	return ""
}

// squidDirect has the client use Squid as its proxy, around the gateway. It passes when the network refuses
// the connection, or when Squid itself refuses it by ACL (403 with X-Squid-Error: ERR_ACCESS_DENIED, Squid's
// error-page header). A 407 means Squid admitted the client and only credentials stand between: a FAIL.
func squidDirect(ctx context.Context, e *Env) Result {
	s := e.Spec
	out, runErr := e.clientCurl(ctx, 10, "-x", "http://"+s.SquidProxy, s.DestinationURL)
	if evidence, ok, _ := blocked(out.Stderr + "\n" + out.Stdout); ok {
		return pass("via %s: %s", s.SquidProxy, evidence)
	}
	resp, err := ParseCurl(out.Stderr, out.Stdout)
	if err != nil {
		return fail("via %s: cannot tell what happened: %v (%v)", s.SquidProxy, err, runErr)
	}
	if squidErr := resp.Header.Get("X-Squid-Error"); resp.Status == 403 && strings.HasPrefix(squidErr, "ERR_ACCESS_DENIED") {
		return pass("via %s: Squid refused: 403 X-Squid-Error: %s", s.SquidProxy, squidErr)
	}
	return fail("via %s: got HTTP %d %s: the client reached Squid around the gateway", s.SquidProxy, resp.Status, resp.Reason)
}

// squidOtherNamespace runs a one-shot curl pod in a fresh ambient namespace (deleted afterwards) that calls the
// destination through the mesh as an authorised client would. The waypoint's mesh-identity-only policy admits
// only the client namespace, so the connection must be refused; an answer tells which way it went.
func squidOtherNamespace(ctx context.Context, e *Env) (r Result) {
	ns := "egress-verify-" + e.Nonce()
	_, err := e.kubectl(ctx, time.Minute, "create", "namespace", ns)
	defer func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, derr := e.kubectl(cctx, time.Minute, "delete", "namespace", ns, "--ignore-not-found", "--wait=false"); derr != nil && err == nil {
			r = fail("%s; and namespace %s is left, run `kubectl delete namespace %s`: %v", r.Evidence, ns, ns, derr)
		}
	}()
	if err != nil {
		return fail("kubectl create namespace %s: %v", ns, err)
	}
	if _, err := e.kubectl(ctx, time.Minute, "label", "namespace", ns, "istio.io/dataplane-mode=ambient"); err != nil {
		return fail("labelling %s ambient: %v", ns, err)
	}
	// The service account controller creates "default" shortly after the namespace; kubectl run needs it.
	if sa := e.poll(ctx, 15, func(ctx context.Context) Result {
		if _, err := e.kubectl(ctx, 30*time.Second, "get", "serviceaccount", OtherServiceAccount, "-n", ns); err != nil {
			return fail("no service account %s in %s yet: %v", OtherServiceAccount, ns, err)
		}
		return pass("")
	}); sa.Status != Pass {
		return sa
	}
	logs, _, err := e.curlPod(ctx, ns, OtherServiceAccount, "-H", ExtAuthzHeader+": "+ExtAuthzAllow, e.Spec.DestinationURL)
	if err != nil {
		return fail("%v", err)
	}
	if evidence, ok, _ := blocked(logs); ok {
		return pass("from namespace %s: %s", ns, evidence)
	}
	resp, err := ParseCurl(logs, "")
	if err != nil {
		return fail("from namespace %s: cannot tell what happened: %v", ns, err)
	}
	if strings.Contains(strings.ToLower(logs), strings.ToLower(ResultHeader)) {
		return fail("from namespace %s: HTTP %d through the waypoint: mesh-identity-only did not refuse it", ns, resp.Status)
	}
	return fail("from namespace %s: HTTP %d without passing ext-authz: it went around the waypoint", ns, resp.Status)
}

// squidTLSConnect sends an authorised request to the first TLS destination and finds Squid's CONNECT host:443
// entry for it: with TLS origination at the waypoint, agentgateway tunnels TLS with CONNECT
// (crates/agentgateway/src/client/mod.rs), while plain HTTP goes to the proxy in absolute form.
func squidTLSConnect(ctx context.Context, e *Env) Result {
	s := e.Spec
	if len(s.TLSDestinations) == 0 {
		return skip("no TLS destination is configured")
	}
	if s.SquidLogs.Kind == SquidLogsNone {
		return skip("Squid is an existing proxy (squidLogs.kind none): its access log is not readable from here")
	}
	d := s.TLSDestinations[0]
	since := e.Now().Add(-squidClockSlack)
	resp, err := e.destCurl(ctx, true, d.URL)
	if err != nil {
		return fail("request to %s failed: %v", d.URL, err)
	}
	if resp.Status >= 500 {
		return fail("%s got %d: the gateway could not reach it over TLS: %s", d.URL, resp.Status, snippet(resp.Body))
	}
	var entry SquidEntry
	err = e.pollLogs(ctx, e.squidLogs, func(logs string) error {
		var err error
		entry, err = LastSquidConnect(logs, d.Connect, since)
		return err
	})
	if err != nil {
		return fail("%s got %d, but %v", d.URL, resp.Status, err)
	}
	if entry.Status >= 400 {
		// Squid 6.6, the pinned image, can log a tunnel that worked as TCP_TUNNEL/500 (bug 5274, fixed in 6.7:
		// github.com/squid-cache/squid/pull/1608). The answer above came through this tunnel, so a TCP_TUNNEL
		// entry with a 5xx status is that bug, not a refusal; TCP_DENIED and other results still fail.
		if strings.HasPrefix(entry.Result, "TCP_TUNNEL") && entry.Status >= 500 && resp.Status < 400 {
			return pass("%s (a tunnel that answered %d, logged with status %d: Squid 6.6 bug 5274)", entry.Line, resp.Status, entry.Status)
		}
		return fail("Squid refused the tunnel to %s (status %d): %s", d.Connect, entry.Status, entry.Line)
	}
	return pass("%s", entry.Line)
}
