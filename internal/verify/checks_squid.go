package verify

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Istio's sample ext-authz server allows a request carrying this header and value, and then adds ResultHeader.
const (
	ExtAuthzHeader  = "x-ext-authz"
	ExtAuthzAllow   = "allow"
	ResultHeader    = "X-Ext-Authz-Check-Result"
	ResultAllowed   = "allowed"
	ResultDenied    = "denied"
	squidClockSlack = 30 * time.Second // Squid's clock vs ours when matching log times
)

// SquidChecks are the checks of the agentgateway + Squid path, in the order they run.
func SquidChecks() []Check {
	return []Check{
		{Name: "allowed", Proves: "an authorised request reaches the destination and ext-authz marked it allowed", Run: squidAllowed},
		{Name: "denied", Proves: "a request without x-ext-authz: allow is refused by ext-authz itself (403 with X-Ext-Authz-Check-Result: denied)", Run: squidDenied},
		{Name: "squid-log", Proves: "the request left through Squid: its access log shows the destination host", Run: squidLog},
		{Name: "ext-authz-log", Proves: "ext-authz saw the caller's SPIFFE identity", Run: extAuthzLog},
		{Name: "bypass", Proves: "a direct call to the destination's IP, around the gateway, fails", Run: squidBypass},
		{Name: "squid-direct", Proves: "the client cannot use Squid itself around the gateway", Run: squidDirect},
		{Name: "other-namespace", Proves: "a meshed pod outside the client namespace is refused at the waypoint (mesh-identity-only)", Run: squidOtherNamespace},
		{Name: "fail-closed", Proves: "with ext-authz scaled to zero an authorised request gets agentgateway's own 403, and passes again once it is back", Run: squidFailClosed},
		{Name: "tls-connect", Proves: "a TLS destination leaves through Squid as CONNECT host:443", Run: squidTLSConnect},
	}
}

func (e *Env) destCurl(ctx context.Context, authorised bool, url string) (Response, error) {
	var args []string
	if authorised {
		args = append(args, "-H", ExtAuthzHeader+": "+ExtAuthzAllow)
	}
	return response(e.clientCurl(ctx, 30, append(args, url)...))
}

func squidAllowed(ctx context.Context, e *Env) Result {
	resp, err := e.destCurl(ctx, true, e.Spec.DestinationURL)
	if err != nil {
		return fail("request failed: %v", err)
	}
	if resp.Status != 200 {
		return fail("got %d, want 200: %s", resp.Status, snippet(resp.Body))
	}
	got, err := EchoedHeader(resp.Body, ResultHeader)
	if err != nil {
		return fail("200, but %v", err)
	}
	if !slices.Contains(got, ResultAllowed) {
		return fail("200, but the destination saw %s: %q, want %q (did the request skip ext-authz?)", ResultHeader, got, ResultAllowed)
	}
	return pass("200 %s: %s", ResultHeader, ResultAllowed)
}

func squidDenied(ctx context.Context, e *Env) Result {
	resp, err := e.destCurl(ctx, false, e.Spec.DestinationURL)
	if err != nil {
		return fail("request failed: %v", err)
	}
	if resp.Status != 403 {
		return fail("got %d without %s, want 403", resp.Status, ExtAuthzHeader)
	}
	// The sample server's DeniedHttpResponse carries this header (istio samples/extauthz main.go deny());
	// agentgateway copies a denial's headers into its reply (ext_authz.rs, DeniedResponse -> process_headers).
	// agentgateway's own 403 for an unreachable server has none.
	if got := resp.Header.Values(ResultHeader); !containsFold(got, ResultDenied) {
		return fail("403 without %s: %s (got %q): not ext-authz's decision; an unreachable ext-authz also gives 403",
			ResultHeader, ResultDenied, got)
	}
	return pass("403 %s: %s", ResultHeader, ResultDenied)
}

// squidLog sends an authorised request and finds Squid's access-log entry for the destination logged since.
// Squid strips query strings from logged URLs, so time, not a tag, ties the line to this request.
func squidLog(ctx context.Context, e *Env) Result {
	s := e.Spec
	if s.SquidLogs.Kind == SquidLogsNone {
		return skip("Squid is an existing proxy (squidLogs.kind none): its access log is not readable from here")
	}
	host, err := urlHost(s.DestinationURL)
	if err != nil {
		return fail("%v", err)
	}
	since := e.Now().Add(-squidClockSlack)
	resp, err := e.destCurl(ctx, true, s.DestinationURL)
	if r, bad := mustBe200(resp, err); bad {
		return r
	}
	var entry SquidEntry
	err = e.pollLogs(ctx, e.squidLogs, func(logs string) error {
		var err error
		entry, err = LastSquidEntry(logs, host, since)
		return err
	})
	if err != nil {
		return fail("%v", err)
	}
	if entry.Status >= 400 {
		return fail("Squid logged %s with status %d: %s", host, entry.Status, entry.Line)
	}
	return pass("%s", entry.Line)
}

func (e *Env) squidLogs(ctx context.Context) (string, error) {
	l := e.Spec.SquidLogs
	if l.Kind == SquidLogsDocker {
		out, err := e.docker(ctx, time.Minute, "logs", "--tail", logTail, l.Container)
		if err != nil {
			return "", fmt.Errorf("docker logs %s: %w", l.Container, err)
		}
		// docker logs replays the container's stdout and stderr on ours; Squid may write to either.
		return out.Stdout + "\n" + out.Stderr, nil
	}
	return e.logs(ctx, l.Namespace, l.Selector, l.Container)
}

// extAuthzLog sends a tagged, authorised request and reads the ext-authz decision for it.
func extAuthzLog(ctx context.Context, e *Env) Result {
	s := e.Spec
	nonce := e.Nonce()
	host, err := urlHost(s.DestinationURL)
	if err != nil {
		return fail("%v", err)
	}
	resp, err := e.destCurl(ctx, true, withQuery(s.DestinationURL, "verify="+nonce))
	if r, bad := mustBe200(resp, err); bad {
		return r
	}
	read := func(ctx context.Context) (string, error) {
		return e.logs(ctx, s.ExtAuthzNamespace, s.ExtAuthzSelector, "")
	}
	var entry ExtAuthzEntry
	err = e.pollLogs(ctx, read, func(logs string) error {
		var err error
		entry, err = LastExtAuthzEntry(logs, func(x ExtAuthzEntry) bool {
			return x.Decision == ResultAllowed && strings.HasPrefix(x.Target, host) && strings.Contains(x.Target, nonce)
		})
		return err
	})
	if err != nil {
		return fail("no allowed decision for %s tagged verify=%s: %v", host, nonce, err)
	}
	want := s.ClientPrincipal()
	switch entry.Principal {
	case want:
		return pass("principal %s", want)
	case "":
		return fail("the decision carries no source principal, want %s: %s", want, snippet(entry.Line))
	default:
		return fail("principal %s, want %s: %s", entry.Principal, want, snippet(entry.Line))
	}
}

// squidBypass resolves the destination here (inside the mesh its name may resolve to a virtual address that
// leads to the gateway) and has the client call that IP directly. Any HTTP answer means egress is open.
func squidBypass(ctx context.Context, e *Env) Result {
	u, err := url.Parse(e.Spec.DestinationURL)
	if err != nil || u.Hostname() == "" {
		return fail("destinationURL %q is not a URL: %v", e.Spec.DestinationURL, err)
	}
	addrs, err := e.Resolve(ctx, u.Hostname())
	ip := firstIPv4(addrs)
	if err != nil || ip == "" {
		return skip("cannot resolve %s from this machine to an IPv4 address (%v): nothing to call directly", u.Hostname(), err)
	}
	direct := *u
	direct.Host = ip
	if port := u.Port(); port != "" {
		direct.Host = net.JoinHostPort(ip, port)
	}
	out, runErr := e.clientCurl(ctx, 10, "-H", "Host: "+u.Hostname(), "-H", ExtAuthzHeader+": "+ExtAuthzAllow, direct.String())
	evidence, ok, reason := blocked(out.Stderr + "\n" + out.Stdout)
	if !ok && runErr != nil {
		return fail("direct call to %s: %s (%v)", direct.String(), reason, runErr)
	}
	if !ok {
		return fail("direct call to %s: %s", direct.String(), reason)
	}
	return pass("%s: %s", direct.String(), evidence)
}

// mustBe200 fails a check whose own request, made only to produce a log line, did not succeed.
func mustBe200(resp Response, err error) (Result, bool) {
	if err != nil {
		return fail("the request to be logged failed: %v", err), true
	}
	if resp.Status != 200 {
		return fail("the request to be logged got %d, want 200", resp.Status), true
	}
	return Result{}, false
}

func firstIPv4(addrs []string) string {
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
			return ip.String()
		}
	}
	return ""
}

func urlHost(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("destinationURL %q is not a URL with a host", raw)
	}
	return u.Hostname(), nil
}
