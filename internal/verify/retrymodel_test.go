package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected outcomes follow from Envoy's documented semantics (see Expect); each row works one out by hand.
func TestRetryExpect(t *testing.T) {
	cases := map[string]struct {
		cfg     RetryConfig
		failure string
		want    []string
	}{
		// Resets end each try in milliseconds: retries always run out first.
		"stopped behind ztunnel": {RetryConfig{3, "10s", "30s"}, "UC", []string{"503 UC,URX attempt_count 4"}},
		"refused":                {RetryConfig{2, "", ""}, "UF", []string{"503 UF,URX attempt_count 3"}},
		// 4 tries × 5s + at most 25+75+175ms of backoff = 20.275s < 30s: the fourth try's timeout comes first.
		"paused, room for every try": {RetryConfig{3, "5s", "30s"}, "UT", []string{"504 UT,URX attempt_count 4"}},
		// 4 × 10s = 40s ≥ 30s: the route timeout ends the request during the third try (starts at 20s+).
		"paused, seed defaults": {RetryConfig{3, "10s", "30s"}, "UT", []string{"504 UT without URX attempt_count 3"}},
		// 3 × 10s = 30s exactly: the route timer fires at 30s, the third try's at 30s + backoff (≥ 0).
		"paused, exactly the route timeout": {RetryConfig{2, "10s", "30s"}, "UT", []string{"504 UT without URX attempt_count 3"}},
		// 3 × 9.9s = 29.7s, plus up to 100ms of backoff: always before 30s.
		"paused, just fits": {RetryConfig{2, "9900ms", "30s"}, "UT", []string{"504 UT,URX attempt_count 3"}},
		// 3 × 9.95s = 29.85s, plus up to 100ms: 29.85-29.95s < 30s; with 9.97s, 29.91-30.01s: jitter decides.
		"paused, jitter decides": {RetryConfig{2, "9970ms", "30s"}, "UT", []string{"504 UT,URX attempt_count 3", "504 UT without URX attempt_count 3"}},
		// No per-try timeout: the one try waits for the route timeout (Envoy's 15s default when unset).
		"paused, no per-try timeout": {RetryConfig{3, "", ""}, "UT", []string{"504 UT without URX attempt_count 1"}},
		// Third try starts at 2 × 14.9s = 29.8s plus up to 100ms of backoff: before 30s either way.
		"paused, third try starts late": {RetryConfig{5, "14.9s", "30s"}, "UT", []string{"504 UT without URX attempt_count 3"}},
		// Third try starts at 29.95s plus 0-100ms of backoff: it may or may not start before 30s.
		"paused, third try may start": {RetryConfig{5, "14975ms", "30s"}, "UT", []string{"504 UT without URX attempt_count 2-3"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := c.cfg.Expect(c.failure)
			require.NoError(t, err)
			var s []string
			for _, o := range got {
				s = append(s, strings.SplitN(o.String(), " (", 2)[0]) // details are checked by Matches' test
			}
			assert.Equal(t, c.want, s)
		})
	}
}

func TestRetryExpectRejectsWhatItCannotModel(t *testing.T) {
	_, err := RetryConfig{Attempts: 3}.Expect("UH")
	require.ErrorContains(t, err, `no retry model for response flag "UH"`)
	_, err = RetryConfig{Attempts: 3, PerTryTimeout: "soon"}.Expect("UT")
	require.ErrorContains(t, err, "retry.perTryTimeout")
}

func TestMaxBackoffFollowsEnvoysDocs(t *testing.T) {
	// "the first retry will be delayed randomly by 0-24ms, the 2nd by 0-74ms, the 3rd by 0-174ms ... capped at
	// a maximum interval, which defaults to 10 times the base interval (250ms)" (router filter docs).
	assert.Equal(t, time.Duration(0), maxBackoff(0))
	assert.Equal(t, 25*time.Millisecond, maxBackoff(1))
	assert.Equal(t, 100*time.Millisecond, maxBackoff(2))
	assert.Equal(t, 275*time.Millisecond, maxBackoff(3))
	assert.Equal(t, 275*time.Millisecond+250*time.Millisecond, maxBackoff(4), "(2^4-1)·25ms = 375ms, capped at 250ms")
	assert.Equal(t, 275*time.Millisecond+16*250*time.Millisecond, maxBackoff(19))
}

func TestRetryOutcomeMatches(t *testing.T) {
	o := RetryOutcome{Failure: "UT", URX: true, Status: 504, MinAttempts: 4, MaxAttempts: 4, DetailPrefix: []string{DetailsPerTryTimeout}}
	ok := EnvoyEntry{ResponseFlags: "UT,URX", Status: 504, AttemptCount: 4, ResponseCodeDetails: "upstream_per_try_timeout"}
	assert.True(t, o.Matches(ok))
	for name, e := range map[string]EnvoyEntry{
		"no URX":    {ResponseFlags: "UT", Status: 504, AttemptCount: 4, ResponseCodeDetails: "upstream_per_try_timeout"},
		"UC":        {ResponseFlags: "UC,URX", Status: 504, AttemptCount: 4, ResponseCodeDetails: "upstream_per_try_timeout"},
		"503":       {ResponseFlags: "UT,URX", Status: 503, AttemptCount: 4, ResponseCodeDetails: "upstream_per_try_timeout"},
		"3 tries":   {ResponseFlags: "UT,URX", Status: 504, AttemptCount: 3, ResponseCodeDetails: "upstream_per_try_timeout"},
		"details":   {ResponseFlags: "UT,URX", Status: 504, AttemptCount: 4, ResponseCodeDetails: "via_upstream"},
		"no detail": {ResponseFlags: "UT,URX", Status: 504, AttemptCount: 4},
	} {
		assert.False(t, o.Matches(e), name)
	}
}
