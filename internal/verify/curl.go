package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Response is the final HTTP response curl -v reported.
type Response struct {
	Proto  string // HTTP/1.1, HTTP/2
	Status int
	Reason string
	Header http.Header
	Body   string
}

// ErrNoResponse means curl got no HTTP response at all: the connection was refused, reset or timed out. For
// the "must not get through" checks that is the outcome that passes.
var ErrNoResponse = errors.New("no HTTP response")

var curlErrLine = regexp.MustCompile(`curl: \(\d+\)[^\n]*`)

// CurlError is curl's own error message ("curl: (56) Recv failure: Connection reset by peer"), or "".
// It is printed only with -S (or without -s).
func CurlError(output string) string {
	return strings.TrimSpace(curlErrLine.FindString(output))
}

// ParseCurl reads `curl -sSv` output: verbose is stderr (status line and headers as "< " lines), body is stdout.
// When curl saw several responses (100 Continue, a proxy's CONNECT reply) the last one counts. An output without
// any response is ErrNoResponse (wrapped with curl's error); a cut-off or garbled one is a plain error.
func ParseCurl(verbose, body string) (Response, error) {
	var (
		resp     Response
		seen     bool
		inHeader bool
	)
	for _, raw := range strings.Split(verbose, "\n") {
		line := strings.TrimRight(raw, "\r")
		if !strings.HasPrefix(line, "<") {
			continue
		}
		text := strings.TrimPrefix(strings.TrimPrefix(line, "<"), " ")
		if strings.HasPrefix(text, "HTTP/") {
			r, err := parseStatusLine(text)
			if err != nil {
				return Response{}, err
			}
			resp, seen, inHeader = r, true, true
			continue
		}
		if !inHeader {
			continue
		}
		if strings.TrimSpace(text) == "" {
			inHeader = false // blank line: end of this response's headers
			continue
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return Response{}, fmt.Errorf("malformed response header line %q", line)
		}
		resp.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	if !seen {
		if msg := CurlError(verbose + "\n" + body); msg != "" {
			return Response{}, fmt.Errorf("%w: %s", ErrNoResponse, msg)
		}
		return Response{}, ErrNoResponse
	}
	if inHeader {
		return Response{}, fmt.Errorf("curl output ends inside the headers of the %d response (truncated?)", resp.Status)
	}
	resp.Body = body
	return resp, nil
}

func parseStatusLine(text string) (Response, error) {
	fields := strings.SplitN(text, " ", 3)
	if len(fields) < 2 {
		return Response{}, fmt.Errorf("malformed status line %q", text)
	}
	code, err := strconv.Atoi(fields[1])
	if err != nil || len(fields[1]) != 3 || code < 100 || code > 599 {
		return Response{}, fmt.Errorf("malformed status code in status line %q", text)
	}
	r := Response{Proto: fields[0], Status: code, Header: http.Header{}}
	if len(fields) == 3 {
		r.Reason = strings.TrimSpace(fields[2])
	}
	return r, nil
}

// EchoedHeader returns the values of header name in an echo service's JSON body ({"headers": {...}}), matching
// the name case-insensitively. httpbingo gives each header as a list, httpbin as a string; both are accepted.
func EchoedHeader(body, name string) ([]string, error) {
	var doc struct {
		Headers map[string]json.RawMessage `json:"headers"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return nil, fmt.Errorf("response body is not the echo service's JSON: %w", err)
	}
	if doc.Headers == nil {
		return nil, errors.New(`response body has no "headers" object`)
	}
	for k, raw := range doc.Headers {
		if !strings.EqualFold(k, name) {
			continue
		}
		var list []string
		if err := json.Unmarshal(raw, &list); err == nil {
			return list, nil
		}
		var one string
		if err := json.Unmarshal(raw, &one); err == nil {
			return []string{one}, nil
		}
		return nil, fmt.Errorf("echoed header %s is neither a string nor a list of strings: %s", k, raw)
	}
	return nil, nil
}
