package verify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func byNonce(nonce string) func(EnvoyEntry) bool {
	return func(e EnvoyEntry) bool {
		return e.Authority == "host.docker.internal" && strings.Contains(e.Path, nonce)
	}
}

func TestLastEnvoyEntryPicksTheRequestsEntry(t *testing.T) {
	e, err := LastEnvoyEntry(envoyLogs, byNonce("n0nce123"))
	require.NoError(t, err)
	assert.Equal(t, "/?verify=n0nce123", e.Path)
	assert.Equal(t, 504, e.Status)
	assert.Equal(t, 4, e.AttemptCount)
	assert.Equal(t, 20163, e.Duration)
	assert.Equal(t, "GET", e.Method)
	assert.Equal(t, "172.18.0.5:11434", e.UpstreamHost)
	assert.Equal(t, "2025-12-05T20:11:10.020Z", e.StartTime)
	assert.Equal(t, "upstream_per_try_timeout", e.ResponseCodeDetails)
	assert.Empty(t, e.UpstreamTransportFailureReason, "null is no reason")
	assert.True(t, e.HasFlags("URX", "UT"))
	assert.Contains(t, e.Line, "n0nce123")
}

func TestLastEnvoyEntryTakesTheLastOfSeveralMatches(t *testing.T) {
	e, err := LastEnvoyEntry(envoyLogs, func(e EnvoyEntry) bool { return e.HasFlags("URX") })
	require.NoError(t, err)
	assert.Contains(t, e.Path, "n0nce123")
}

func TestLastEnvoyEntryReportsWhatItSaw(t *testing.T) {
	_, err := LastEnvoyEntry(envoyLogs+`{"status":503,"path":"/?verify=zz`+"\n", byNonce("missing"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "among 3 entries")
	assert.Contains(t, err.Error(), "1 malformed lines")
}

func TestParseEnvoyLineAcceptsStringNumbersAndDashes(t *testing.T) {
	e, ok, err := ParseEnvoyLine(`{"status":"503","attempt_count":"2","duration":"-","response_flags":"UF,URX"}`)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 503, e.Status)
	assert.Equal(t, 2, e.AttemptCount)
	assert.Equal(t, 0, e.Duration)
	assert.True(t, e.HasFlags("URX", "UF"))
}

func TestParseEnvoyLineSkipsNonEntries(t *testing.T) {
	for _, line := range []string{"", "plain text", `{"level":"info","msg":"hi"}`, "[2025-12-05][info] {x}"} {
		_, ok, err := ParseEnvoyLine(line)
		require.NoError(t, err, line)
		assert.False(t, ok, line)
	}
}

func TestParseEnvoyLineRejectsBadEntries(t *testing.T) {
	for _, line := range []string{
		`{"status":503,"response_flags":"URX`,           // truncated
		`{"status":503} {"status":200}`,                 // two objects glued together
		`{"status":"five hundred","response_flags":""}`, // not a number
		`{"status":503,"response_flags":["URX"]}`,       // wrong type
		`{"status":5.5e2,"response_flags":"UF"}`,        // not an integer
	} {
		_, ok, err := ParseEnvoyLine(line)
		require.Error(t, err, line)
		assert.False(t, ok, line)
	}
}

func TestHasFlagsNeedsEveryFlag(t *testing.T) {
	assert.False(t, EnvoyEntry{ResponseFlags: "URX"}.HasFlags("URX", "UF"))
	assert.False(t, EnvoyEntry{ResponseFlags: "-"}.HasFlags("UF"))
	assert.False(t, EnvoyEntry{ResponseFlags: "UFX"}.HasFlags("UF"), "flags are whole tokens, not substrings")
	assert.True(t, EnvoyEntry{ResponseFlags: "UF, URX"}.HasFlags("URX", "UF"))
}

// FuzzParseEnvoyLine: never panics; an accepted entry was a JSON object with status or response_flags.
func FuzzParseEnvoyLine(f *testing.F) {
	for _, line := range strings.Split(envoyLogs, "\n") {
		f.Add(line)
	}
	f.Add(`{"status":"503","attempt_count":"x"}`)
	f.Add(`{"response_flags":null}`)
	f.Fuzz(func(t *testing.T, line string) {
		e, ok, err := ParseEnvoyLine(line)
		if err != nil || !ok {
			assert.Equal(t, EnvoyEntry{}, e)
			return
		}
		require.True(t, strings.Contains(line, `"status"`) || strings.Contains(line, `"response_flags"`) ||
			strings.Contains(line, `\u`), "accepted %q", line)
	})
}
