package engines

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// Envoy cannot run here, so the `retries` check's input is proven by its format: the program's JSON access-log
// format (kgateway HTTPListenerPolicy, rendered by the dev stack) must use only command operators Envoy documents,
// and must produce every key internal/verify's ParseEnvoyLine reads.
//
// envoyOperators is Envoy's documentation of each operator the format uses, quoted from
// docs/root/configuration/observability/access_log/usage.rst ("Command Operators"), read from envoyproxy/envoy
// (store commit 01625a8961e2). kgateway v2.2.x runs Envoy 1.36 (its Makefile pins ENVOY_IMAGE
// quay.io/solo-io/envoy-gloo:1.36.*); every operator below is documented there unchanged (the newest,
// UPSTREAM_REQUEST_ATTEMPT_COUNT, dates from Envoy 1.16). With json_format, as here, every value is a string;
// typed_json_format would render the ones marked numeric as JSON numbers. An unset value renders as "-".
var envoyOperators = map[string]struct {
	doc     string
	numeric bool // "Renders a numeric value in typed JSON logs."
	sample  string
}{
	"%START_TIME%":                        {"Request start time including milliseconds.", false, "2026-12-01T22:00:00.000Z"},
	"%REQ(:METHOD)%":                      {"%REQ(X?Y):Z% HTTP: An HTTP request header where X is the main HTTP header, Y is the alternative one, and Z is an optional parameter denoting string truncation up to Z characters long.", false, "POST"},
	"%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%":  {"(the same %REQ(X?Y):Z% operator; the default format uses exactly this)", false, "/api/generate?verify=n1"},
	"%PROTOCOL%":                          {"HTTP: Protocol. Currently either HTTP/1.1 HTTP/2 or HTTP/3.", false, "HTTP/1.1"},
	"%REQ(:AUTHORITY)%":                   {"(the same %REQ(X?Y):Z% operator)", false, "ollama.egress.local"},
	"%RESPONSE_CODE%":                     {"HTTP: HTTP response code. ... Renders a numeric value in typed JSON logs.", true, "503"},
	"%RESPONSE_FLAGS%":                    {"Additional details about the response or connection, if any. ... URX: The request was rejected because the upstream retry limit (HTTP) ... was reached. ... UF: Upstream connection failure in addition to 503 response code. ... UC: Upstream connection termination in addition to 503 response code.", false, "URX,UC"},
	"%RESPONSE_CODE_DETAILS%":             {"HTTP: HTTP response code details provides additional information about the response code, such as who set it (the upstream or envoy) and why.", false, "upstream_reset_before_response_started{connection_termination}"},
	"%UPSTREAM_REQUEST_ATTEMPT_COUNT%":    {"HTTP: Number of times the request is attempted upstream. ... Renders a numeric value in typed JSON logs.", true, "3"},
	"%UPSTREAM_HOST%":                     {"Upstream host URL (e.g., tcp://ip:port for TCP connections).", false, "172.18.0.3:11434"},
	"%UPSTREAM_CLUSTER%":                  {"Upstream cluster to which the upstream host belongs to.", false, "kube_ollama_ollama_11434"},
	"%UPSTREAM_TRANSPORT_FAILURE_REASON%": {"HTTP: If upstream connection failed due to transport socket (e.g. TLS handshake), provides the failure reason from the transport socket.", false, "-"},
	"%DURATION%":                          {"HTTP/THRIFT: Total duration in milliseconds of the request from the start time to the last byte out. ... Renders a numeric value in typed JSON logs.", true, "30012"},
	"%BYTES_RECEIVED%":                    {"HTTP/THRIFT: Body bytes received. ... Renders a numeric value in typed JSON logs.", true, "64"},
	"%BYTES_SENT%":                        {"HTTP/THRIFT: Body bytes sent. For WebSocket connection it will also include response header bytes.", false, "95"},
	"%DOWNSTREAM_REMOTE_ADDRESS%":         {"Remote address of the downstream connection. If the address is an IP address it includes both address and port.", false, "10.244.0.12:51234"},
	"%REQ(USER-AGENT)%":                   {"(the same %REQ(X?Y):Z% operator)", false, "curl/8.16.0"},
	"%REQ(X-REQUEST-ID)%":                 {"(the same %REQ(X?Y):Z% operator)", false, "5b0b1c1e-0000-4000-8000-000000000001"},
}

var operatorSyntax = regexp.MustCompile(`^%[A-Z_]+(\([^()]*\))?%$`)

// renderedAccessLogFormat is the jsonFormat of the program's HTTPListenerPolicy.
func renderedAccessLogFormat(t *testing.T) map[string]any {
	t.Helper()
	r, _ := renderStack(t, "dev")
	policies := objects(r, "HTTPListenerPolicy")
	require.Len(t, policies, 1, "the dev stack renders one HTTPListenerPolicy")
	spec := policies[0]["spec"].(map[string]any)
	sink := spec["accessLog"].([]any)[0].(map[string]any)["fileSink"].(map[string]any)
	return sink["jsonFormat"].(map[string]any)
}

// envoyLine renders one access-log line for format as Envoy's json_format would, each operator replaced by its
// sample (all strings); typed renders the numeric ones as numbers, as typed_json_format would.
func envoyLine(t *testing.T, format map[string]any, typed bool) string {
	t.Helper()
	out := map[string]any{}
	for key, v := range format {
		op, _ := v.(string)
		doc, ok := envoyOperators[op]
		require.True(t, ok, "%s: %q is not an operator documented above", key, op)
		if typed && doc.numeric {
			var n json.Number = json.Number(doc.sample)
			out[key] = n
			continue
		}
		out[key] = doc.sample
	}
	b, err := json.Marshal(out)
	require.NoError(t, err)
	return string(b)
}

func TestAccessLogFormatUsesDocumentedOperators(t *testing.T) {
	format := renderedAccessLogFormat(t)
	for key, v := range format {
		op, ok := v.(string)
		require.True(t, ok, "%s: the value must be a string command operator, got %T", key, v)
		assert.Regexp(t, operatorSyntax, op, key)
		_, documented := envoyOperators[op]
		assert.True(t, documented, "%s: %s is not among the operators quoted from Envoy's docs", key, op)
	}
	// Negative control: a misspelt operator (Envoy would reject the listener) is caught.
	_, documented := envoyOperators["%UPSTREAM_ATTEMPT_COUNT%"]
	assert.False(t, documented)
}

// TestAccessLogParsesIntoTheCheckedFields: each field the retries check reads comes out of the line the format
// produces, from the key carrying the operator that means it.
func TestAccessLogParsesIntoTheCheckedFields(t *testing.T) {
	format := renderedAccessLogFormat(t)
	// The field of EnvoyEntry the check reads -> the operator whose value it must hold.
	want := map[string]string{
		"ResponseFlags":                  "%RESPONSE_FLAGS%",
		"AttemptCount":                   "%UPSTREAM_REQUEST_ATTEMPT_COUNT%",
		"Authority":                      "%REQ(:AUTHORITY)%",
		"Path":                           "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
		"Status":                         "%RESPONSE_CODE%",
		"UpstreamTransportFailureReason": "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
	}
	for _, typed := range []bool{false, true} {
		line := envoyLine(t, format, typed)
		e, ok, err := verify.ParseEnvoyLine(line)
		require.NoError(t, err, line)
		require.True(t, ok, "not recognised as an access-log entry: %s", line)
		got := map[string]string{
			"ResponseFlags":                  e.ResponseFlags,
			"AttemptCount":                   fmt.Sprint(e.AttemptCount),
			"Authority":                      e.Authority,
			"Path":                           e.Path,
			"Status":                         fmt.Sprint(e.Status),
			"UpstreamTransportFailureReason": e.UpstreamTransportFailureReason,
		}
		for field, op := range want {
			assert.Equal(t, envoyOperators[op].sample, got[field], "typed=%v: %s should carry %s", typed, field, op)
		}
		assert.True(t, e.HasFlags("URX"), "typed=%v", typed)
		assert.Greater(t, e.AttemptCount, 1, "typed=%v", typed)
	}

	// Negative control: without the attempt-count key, the entry carries no retry count and the check's
	// attempt_count > 1 condition cannot hold.
	trimmed := map[string]any{}
	for k, v := range format {
		if v != "%UPSTREAM_REQUEST_ATTEMPT_COUNT%" {
			trimmed[k] = v
		}
	}
	require.Less(t, len(trimmed), len(format), "the format has no attempt-count key")
	e, ok, err := verify.ParseEnvoyLine(envoyLine(t, trimmed, false))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 0, e.AttemptCount)
}
