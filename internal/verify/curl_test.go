package verify

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCurlReadsStatusHeadersAndBody(t *testing.T) {
	resp, err := ParseCurl(curlOllama200, "Ollama is running")
	require.NoError(t, err)
	assert.Equal(t, "HTTP/1.1", resp.Proto)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, "OK", resp.Reason)
	assert.Equal(t, "envoy", resp.Header.Get("Server"))
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("content-type"))
	assert.Equal(t, "Ollama is running", resp.Body)
}

func TestParseCurlHandlesCRLF(t *testing.T) {
	resp, err := ParseCurl(curl403, "")
	require.NoError(t, err)
	assert.Equal(t, 403, resp.Status)
	assert.Equal(t, "Forbidden", resp.Reason)
	assert.Equal(t, "0", resp.Header.Get("content-length"))
}

func TestParseCurlTakesTheLastResponse(t *testing.T) {
	// A CONNECT reply from a proxy, then the origin's answer through the tunnel.
	out := "< HTTP/1.1 200 Connection established\n<\n* CONNECT tunnel established\n< HTTP/2 403 \n< server: envoy\n<\n"
	resp, err := ParseCurl(out, "")
	require.NoError(t, err)
	assert.Equal(t, 403, resp.Status)
	assert.Equal(t, "HTTP/2", resp.Proto)
	assert.Equal(t, "envoy", resp.Header.Get("server"))
}

func TestParseCurlWithoutResponseIsErrNoResponseWithCurlsReason(t *testing.T) {
	_, err := ParseCurl(curlReset, "")
	require.ErrorIs(t, err, ErrNoResponse)
	assert.Contains(t, err.Error(), "curl: (56) Recv failure: Connection reset by peer")
}

func TestParseCurlRejectsBrokenOutput(t *testing.T) {
	cases := map[string]string{
		"truncated status code":   "< HTTP/1.1 2",
		"status out of range":     "< HTTP/1.1 700 Weird\n<\n",
		"status not a number":     "< HTTP/1.1 OK 200\n<\n",
		"truncated in headers":    "< HTTP/1.1 200 OK\n< content-type: text/plain\n",
		"header without colon":    "< HTTP/1.1 200 OK\n< garbage\n<\n",
		"status line, no headers": "< HTTP/1.1 200 OK",
	}
	for name, out := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCurl(out, "Ollama is running")
			require.Error(t, err)
			assert.False(t, errors.Is(err, ErrNoResponse), "broken output must not look like a clean block: %v", err)
		})
	}
}

func TestCurlError(t *testing.T) {
	assert.Equal(t, "curl: (28) Connection timed out after 10002 milliseconds", CurlError(curlTimeout))
	assert.Empty(t, CurlError(kubectlNotFound))
}

func TestEchoedHeader(t *testing.T) {
	got, err := EchoedHeader(bodyHeadersAllowed, "x-ext-authz-check-result")
	require.NoError(t, err)
	assert.Equal(t, []string{"allowed"}, got)

	got, err = EchoedHeader(`{"headers": {"X-Ext-Authz-Check-Result": "allowed"}}`, ResultHeader)
	require.NoError(t, err, "httpbin's string form")
	assert.Equal(t, []string{"allowed"}, got)

	got, err = EchoedHeader(bodyHeadersPlain, ResultHeader)
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = EchoedHeader("<html>denied</html>", ResultHeader)
	require.Error(t, err)
	_, err = EchoedHeader(`{"args": {}}`, ResultHeader)
	require.Error(t, err)
	_, err = EchoedHeader(`{"headers": {"X-Ext-Authz-Check-Result": 7}}`, ResultHeader)
	require.Error(t, err)
}

// FuzzParseCurl: never panics, and a response it accepts is one that is really in the input.
func FuzzParseCurl(f *testing.F) {
	for _, s := range []string{curlOllama200, curl403, curl503, curlReset, curlTimeout, curlSquid200,
		"< HTTP/1.1 2", "< HTTP/1.1 200 OK\n< a: b\n", "<\n<\n< HTTP/", ""} {
		f.Add(s, "body")
	}
	f.Fuzz(func(t *testing.T, verbose, body string) {
		resp, err := ParseCurl(verbose, body)
		if err != nil {
			return
		}
		require.GreaterOrEqual(t, resp.Status, 100)
		require.LessOrEqual(t, resp.Status, 599)
		require.Contains(t, verbose, resp.Proto+" "+strconv.Itoa(resp.Status))
		require.True(t, strings.HasPrefix(resp.Proto, "HTTP/"))
		require.Equal(t, body, resp.Body)
	})
}
