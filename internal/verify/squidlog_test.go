package verify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSquidLineConnect(t *testing.T) {
	e, err := ParseSquidLine(squidConnectLine)
	require.NoError(t, err)
	assert.Equal(t, int64(1764965448), e.Time.Unix())
	assert.InDelta(t, 445, e.Time.Nanosecond()/1e6, 1)
	assert.Equal(t, 5552, e.ElapsedMS)
	assert.Equal(t, "10.40.3.47", e.Client)
	assert.Equal(t, "TCP_TUNNEL", e.Result)
	assert.Equal(t, 200, e.Status)
	assert.Equal(t, int64(811), e.Bytes)
	assert.Equal(t, "CONNECT", e.Method)
	assert.Equal(t, "httpbingo.org", e.Host())
	assert.Equal(t, "HIER_DIRECT/66.241.125.232", e.Hierarchy)
}

func TestParseSquidLineForwardedGet(t *testing.T) {
	e, err := ParseSquidLine(squidGetLine)
	require.NoError(t, err)
	assert.Equal(t, "TCP_MISS", e.Result)
	assert.Equal(t, "GET", e.Method)
	assert.Equal(t, "httpbingo.org", e.Host())
}

func TestParseSquidLineRejectsOtherLines(t *testing.T) {
	for _, line := range []string{
		"",
		"2025/12/05 20:10:00| Accepting HTTP Socket connections at conn3 local=[::]:3128",
		"1764965448.445 5552 10.40.3.47 TCP_TUNNEL/200 811 CONNECT", // truncated
		"NaN 5552 10.40.3.47 TCP_TUNNEL/200 811 CONNECT httpbingo.org:80 - HIER_DIRECT/1.2.3.4 -",
		"1e9 5552 10.40.3.47 TCP_TUNNEL/200 811 CONNECT httpbingo.org:80 - HIER_DIRECT/1.2.3.4 -",
		"1764965448.445 x 10.40.3.47 TCP_TUNNEL/200 811 CONNECT httpbingo.org:80 - HIER_DIRECT/1.2.3.4 -",
		"1764965448.445 5 10.40.3.47 TCP_TUNNEL 811 CONNECT httpbingo.org:80 - HIER_DIRECT/1.2.3.4 -",
		"1764965448.445 5 10.40.3.47 TCP_TUNNEL/ok 811 CONNECT httpbingo.org:80 - HIER_DIRECT/1.2.3.4 -",
		"1764965448.445 5 10.40.3.47 TCP_TUNNEL/200 many CONNECT httpbingo.org:80 - HIER_DIRECT/1.2.3.4 -",
	} {
		_, err := ParseSquidLine(line)
		assert.Error(t, err, line)
	}
}

func TestLastSquidEntryFindsHostSince(t *testing.T) {
	logs := "2025/12/05 20:10:00| Starting Squid Cache\n" + squidConnectLine + "\n" + squidGetLine + "\n" +
		"1764965450.000 3 10.244.1.9 TCP_MISS/200 100 GET http://example.com/ - HIER_DIRECT/1.1.1.1 text/html\n"
	e, err := LastSquidEntry(logs, "HTTPBINGO.org", time.Unix(1764965440, 0))
	require.NoError(t, err)
	assert.Equal(t, "GET", e.Method, "the later of the two httpbingo lines")

	_, err = LastSquidEntry(logs, "httpbingo.org", time.Unix(1764965500, 0))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "only before")

	_, err = LastSquidEntry(logs, "other.example", time.Time{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "among 3 entries")
}

// FuzzParseSquidLine: never panics; an accepted line has a sane time and the method from field six.
func FuzzParseSquidLine(f *testing.F) {
	f.Add(squidConnectLine)
	f.Add(squidGetLine)
	f.Add("1764965448.4 1 a B/2 3 M u - h -")
	f.Fuzz(func(t *testing.T, line string) {
		e, err := ParseSquidLine(line)
		if err != nil {
			return
		}
		require.False(t, e.Time.Before(time.Unix(0, 0)))
		require.NotEmpty(t, e.Method)
		require.Contains(t, line, e.Method)
		_ = e.Host()
	})
}
