package verify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseExtAuthzLineAllowed(t *testing.T) {
	e, ok := ParseExtAuthzLine(extAuthzAllowedLine)
	require.True(t, ok)
	assert.Equal(t, "gRPCv3", e.API)
	assert.Equal(t, "allowed", e.Decision)
	assert.Equal(t, "httpbingo.org/headers", e.Target)
	assert.Equal(t, "spiffe://cluster.local/ns/ns1/sa/sleep", e.Principal)
}

func TestParseExtAuthzLineDenied(t *testing.T) {
	e, ok := ParseExtAuthzLine(extAuthzDeniedLine)
	require.True(t, ok)
	assert.Equal(t, "denied", e.Decision)
	assert.Equal(t, "spiffe://cluster.local/ns/ns1/sa/sleep", e.Principal)
}

func TestParseExtAuthzLineNeverTakesTheDestinationsPrincipal(t *testing.T) {
	line := `2025/12/05 20:13:53 [gRPCv3][allowed]: httpbingo.org/headers, attributes: source:{address:{socket_address:{address:"10.40.3.52"}}} destination:{principal:"spiffe://cluster.local/ns/egress/sa/egress-gateway"}`
	e, ok := ParseExtAuthzLine(line)
	require.True(t, ok)
	assert.Empty(t, e.Principal)
}

func TestParseExtAuthzLineTextFormatVariants(t *testing.T) {
	// protobuf's text format varies spacing; quoted braces must not confuse block matching.
	line := `2025/12/05 20:13:53 [gRPCv3][allowed]: h/p, attributes: source: {labels:{key:"x" value:"}{"} principal: "spiffe://cluster.local/ns/a/sa/b"}`
	e, ok := ParseExtAuthzLine(line)
	require.True(t, ok)
	assert.Equal(t, "spiffe://cluster.local/ns/a/sa/b", e.Principal)
}

func TestParseExtAuthzLineTruncatedSourceHasNoPrincipal(t *testing.T) {
	cut := extAuthzAllowedLine[:strings.Index(extAuthzAllowedLine, "principal:")+20]
	e, ok := ParseExtAuthzLine(cut)
	require.True(t, ok)
	assert.Empty(t, e.Principal, "a cut-off block must not yield a half principal")
}

func TestParseExtAuthzLineHTTPForm(t *testing.T) {
	e, ok := ParseExtAuthzLine(`2025/12/05 20:13:53 [HTTP][denied]: GET httpbingo.org/headers, headers: map[Accept:[*/*]], body: []`)
	require.True(t, ok)
	assert.Equal(t, "HTTP", e.API)
	assert.Equal(t, "denied", e.Decision)
	assert.Empty(t, e.Principal)
}

func TestParseExtAuthzLineIgnoresOtherLines(t *testing.T) {
	for _, line := range []string{"", "2025/12/05 20:10:00 Starting gRPC server at [::]:9000", "[gRPCv3][maybe]: x, attributes: y"} {
		_, ok := ParseExtAuthzLine(line)
		assert.False(t, ok, line)
	}
}

func TestLastExtAuthzEntry(t *testing.T) {
	logs := "2025/12/05 20:10:00 Starting gRPC server at [::]:9000\n" + extAuthzAllowedLine + "\n" + extAuthzDeniedLine + "\n"
	e, err := LastExtAuthzEntry(logs, func(e ExtAuthzEntry) bool { return e.Decision == "allowed" })
	require.NoError(t, err)
	assert.Equal(t, extAuthzAllowedLine, e.Line)

	_, err = LastExtAuthzEntry(logs, func(e ExtAuthzEntry) bool { return e.API == "HTTP" })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "among 2")
}

// FuzzParseExtAuthzLine: never panics; a principal is only ever reported from text that contains it.
func FuzzParseExtAuthzLine(f *testing.F) {
	f.Add(extAuthzAllowedLine)
	f.Add(extAuthzDeniedLine)
	f.Add(`[gRPCv3][allowed]: h, attributes: source:{principal:"\"}"}`)
	f.Fuzz(func(t *testing.T, line string) {
		e, ok := ParseExtAuthzLine(line)
		if !ok {
			return
		}
		require.Contains(t, line, e.Principal)
		require.Contains(t, []string{"allowed", "denied"}, e.Decision)
	})
}
