package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// EnvoyEntry is one line of the gateway's JSON access log (the keys the program configures on kgateway).
type EnvoyEntry struct {
	ResponseFlags                  string
	ResponseCodeDetails            string
	UpstreamTransportFailureReason string
	AttemptCount                   int
	Method                         string
	Path                           string
	Status                         int
	Authority                      string
	StartTime                      string
	UpstreamHost                   string
	Duration                       int
	Line                           string
}

// HasFlags reports whether every flag is among the entry's response_flags ("URX,UF").
func (e EnvoyEntry) HasFlags(flags ...string) bool {
	have := map[string]bool{}
	for _, f := range strings.Split(e.ResponseFlags, ",") {
		have[strings.TrimSpace(f)] = true
	}
	for _, f := range flags {
		if !have[f] {
			return false
		}
	}
	return true
}

// ParseEnvoyLine reads one access-log line. ok is false for lines that are not access-log entries (plain text,
// or JSON without status/response_flags such as the proxy's own structured logs). A line that starts as JSON but
// does not decode is an error: it is how a truncated entry looks.
func ParseEnvoyLine(line string) (entry EnvoyEntry, ok bool, err error) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "{") {
		return EnvoyEntry{}, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(line)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return EnvoyEntry{}, false, fmt.Errorf("malformed access-log JSON: %w", err)
	}
	if rest := strings.TrimSpace(line[dec.InputOffset():]); rest != "" {
		return EnvoyEntry{}, false, fmt.Errorf("malformed access-log JSON: trailing data %q", rest)
	}
	_, hasStatus := m["status"]
	_, hasFlags := m["response_flags"]
	if !hasStatus && !hasFlags {
		return EnvoyEntry{}, false, nil
	}
	f := fields{m: m}
	e := EnvoyEntry{
		ResponseFlags:                  f.str("response_flags"),
		ResponseCodeDetails:            f.str("response_code_details"),
		UpstreamTransportFailureReason: f.str("upstream_transport_failure_reason"),
		AttemptCount:                   f.num("attempt_count"),
		Method:                         f.str("method"),
		Path:                           f.str("path"),
		Status:                         f.num("status"),
		Authority:                      f.str("authority"),
		StartTime:                      f.str("start_time"),
		UpstreamHost:                   f.str("upstream_host"),
		Duration:                       f.num("duration"),
		Line:                           line,
	}
	if f.err != nil {
		return EnvoyEntry{}, false, f.err
	}
	return e, true, nil
}

// LastEnvoyEntry returns the last access-log entry in logs for which match is true. Non-JSON lines are skipped;
// when nothing matches, the error says how many entries and malformed lines were seen.
func LastEnvoyEntry(logs string, match func(EnvoyEntry) bool) (EnvoyEntry, error) {
	var (
		found            EnvoyEntry
		ok               bool
		entries, corrupt int
		firstErr         error
	)
	for _, line := range strings.Split(logs, "\n") {
		e, isEntry, err := ParseEnvoyLine(line)
		if err != nil {
			corrupt++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !isEntry {
			continue
		}
		entries++
		if match(e) {
			found, ok = e, true
		}
	}
	if ok {
		return found, nil
	}
	msg := fmt.Sprintf("no matching access-log entry among %d entries", entries)
	if corrupt > 0 {
		msg += fmt.Sprintf(" (%d malformed lines, first: %v)", corrupt, firstErr)
	}
	return EnvoyEntry{}, fmt.Errorf("%s", msg)
}

// fields reads typed values out of a decoded access-log object. Envoy writes numbers as numbers, but a format
// may render them as strings, and an absent value as null or "-".
type fields struct {
	m   map[string]any
	err error
}

func (f *fields) str(key string) string {
	switch v := f.m[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		f.fail(key, v)
		return ""
	}
}

func (f *fields) num(key string) int {
	var s string
	switch v := f.m[key].(type) {
	case nil:
		return 0
	case json.Number:
		s = v.String()
	case string:
		if v == "" || v == "-" {
			return 0
		}
		s = v
	default:
		f.fail(key, v)
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.fail(key, s)
	}
	return n
}

func (f *fields) fail(key string, v any) {
	if f.err == nil {
		f.err = fmt.Errorf("access-log key %s has unexpected value %v", key, v)
	}
}
