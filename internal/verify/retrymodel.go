package verify

import (
	"fmt"
	"strings"
	"time"
)

// What Envoy does when the route leaves a value unset, and the backoff kgateway leaves at Envoy's default (the
// program sets no backoffBaseInterval):
//   - RouteAction.timeout: "If not specified, the default is 15s" (envoy config/route/v3/route_components.proto).
//   - router filter docs, x-envoy-max-retries: "The route timeout ... includes all retries"; "fully jittered
//     exponential backoff ... Given a base interval B and retry number N, the back-off for the retry is in the
//     range [0,(2^N−1)B) ... capped at a maximum interval, which defaults to 10 times the base interval".
const (
	envoyDefaultRouteTimeout = 15 * time.Second
	envoyBackoffBase         = 25 * time.Millisecond
	envoyBackoffMax          = 10 * envoyBackoffBase
)

// Response flags and details of a failed upstream (envoy source/common/stream_info and router.cc).
const (
	FlagRetryLimit  = "URX" // UpstreamRetryLimitExceeded: set by maybeRetryReset when no retry is left
	FlagTermination = "UC"  // UpstreamConnectionTermination: ztunnel closed the connection (stopped backend)
	FlagConnFailure = "UF"  // UpstreamConnectionFailure: connect refused (no ztunnel in the gateway's path)
	FlagTimeout     = "UT"  // UpstreamRequestTimeout: per-try or route timeout (paused backend)

	DetailsPerTryTimeout = "upstream_per_try_timeout"
	DetailsEarlyReset    = "upstream_reset_before_response_started"
)

// RetryOutcome is one access-log entry Envoy may write for a request whose every try fails.
type RetryOutcome struct {
	Failure      string // UC, UF or UT: how each try ended
	URX          bool   // retries ran out (true) or the route timeout cut them short (false)
	Status       int    // 503 for a reset or refusal, 504 for a timeout
	MinAttempts  int
	MaxAttempts  int
	DetailPrefix []string // response_code_details starts with one of these
}

func (o RetryOutcome) String() string {
	flags := o.Failure
	if o.URX {
		flags += "," + FlagRetryLimit
	} else {
		flags += " without " + FlagRetryLimit
	}
	attempts := fmt.Sprint(o.MinAttempts)
	if o.MaxAttempts != o.MinAttempts {
		attempts = fmt.Sprintf("%d-%d", o.MinAttempts, o.MaxAttempts)
	}
	return fmt.Sprintf("%d %s attempt_count %s (%s)", o.Status, flags, attempts, strings.Join(o.DetailPrefix, " or "))
}

// Matches reports whether entry is this outcome.
func (o RetryOutcome) Matches(e EnvoyEntry) bool {
	if !e.HasFlags(o.Failure) || e.HasFlags(FlagRetryLimit) != o.URX || e.Status != o.Status {
		return false
	}
	if e.AttemptCount < o.MinAttempts || e.AttemptCount > o.MaxAttempts {
		return false
	}
	for _, p := range o.DetailPrefix {
		if strings.HasPrefix(e.ResponseCodeDetails, p) {
			return true
		}
	}
	return len(o.DetailPrefix) == 0
}

// Expect returns the outcomes Envoy can log when every try fails the way failure says, under this retry
// config. kgateway maps retry.attempts to the route's num_retries (pkg/pluginsdk/policy/retry.go:
// `NumRetries: wrapperspb.UInt32(uint32(in.Attempts))`), so a request gets at most 1 + attempts tries, and
// %UPSTREAM_REQUEST_ATTEMPT_COUNT% counts the tries actually started.
//
//   - UC / UF: ztunnel closes the connection, or the connect is refused, within milliseconds. Every try ends
//     long before any timeout, so retries run out: 503, URX, exactly 1 + attempts tries.
//   - UT (a paused backend: its kernel still accepts the TCP connection, nothing answers): each try ends at the
//     per-try timeout P, which Envoy treats as a local reset and retries under `reset`, `5xx` or
//     `gateway-error` (retry_state_impl.cc wouldRetryFromReset). Try i starts at (i-1)·P plus the backoffs
//     before it. If the last try's timeout comes before the route timeout T, retries run out: 504 UT+URX
//     (onPerTryTimeoutCommon: maybeRetryReset sets URX, then onUpstreamTimeoutAbort sets UT), details
//     upstream_per_try_timeout, 1 + attempts tries. If T comes first, the route timeout ends the request:
//     504 UT without URX, with as many tries as had started by T. When the backoff jitter decides which comes
//     first, both are accepted. Without a per-try timeout the one try waits for T: attempt_count 1.
func (r RetryConfig) Expect(failure string) ([]RetryOutcome, error) {
	perTry, err := optionalDuration(r.PerTryTimeout)
	if err != nil {
		return nil, fmt.Errorf("retry.perTryTimeout %q: %w", r.PerTryTimeout, err)
	}
	route, err := optionalDuration(r.RequestTimeout)
	if err != nil {
		return nil, fmt.Errorf("retry.requestTimeout %q: %w", r.RequestTimeout, err)
	}
	if route == 0 {
		route = envoyDefaultRouteTimeout
	}
	tries := 1 + r.Attempts
	switch failure {
	case FlagTermination, FlagConnFailure:
		return []RetryOutcome{{Failure: failure, URX: true, Status: 503, MinAttempts: tries, MaxAttempts: tries,
			DetailPrefix: []string{DetailsEarlyReset}}}, nil
	case FlagTimeout:
	default:
		return nil, fmt.Errorf("no retry model for response flag %q", failure)
	}
	// The route timeout's details changed name across Envoy releases (upstream_response_timeout, then
	// response_timeout); either means "T ended the request".
	routeTimedOut := RetryOutcome{Failure: FlagTimeout, Status: 504,
		DetailPrefix: []string{"upstream_response_timeout", "response_timeout"}}
	if perTry == 0 || perTry >= route {
		routeTimedOut.MinAttempts, routeTimedOut.MaxAttempts = 1, 1
		return []RetryOutcome{routeTimedOut}, nil
	}
	// Latest and earliest end of the last try, and the tries started before T in the slowest and fastest case.
	earliestEnd := time.Duration(tries) * perTry
	latestEnd := earliestEnd + maxBackoff(tries-1)
	for i := 1; i <= tries; i++ {
		if time.Duration(i-1)*perTry < route {
			routeTimedOut.MaxAttempts = i
		}
		if time.Duration(i-1)*perTry+maxBackoff(i-1) < route {
			routeTimedOut.MinAttempts = i
		}
	}
	exhausted := RetryOutcome{Failure: FlagTimeout, URX: true, Status: 504, MinAttempts: tries, MaxAttempts: tries,
		DetailPrefix: []string{DetailsPerTryTimeout}}
	switch {
	case latestEnd < route:
		return []RetryOutcome{exhausted}, nil
	case earliestEnd >= route:
		return []RetryOutcome{routeTimedOut}, nil
	default:
		return []RetryOutcome{exhausted, routeTimedOut}, nil
	}
}

// maxBackoff is the longest total backoff before retry n: Σ min((2^k−1)·base, max) for k = 1..n.
func maxBackoff(n int) time.Duration {
	var total time.Duration
	for k := 1; k <= n; k++ {
		d := envoyBackoffMax
		if k < 10 {
			d = min(time.Duration(1<<k-1)*envoyBackoffBase, envoyBackoffMax)
		}
		total += d
	}
	return total
}

// optionalDuration parses a Gateway API duration ("10s", "1m30s", "500ms"); "" is zero (unset).
func optionalDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err == nil && d < 0 {
		return 0, fmt.Errorf("negative")
	}
	return d, err
}
