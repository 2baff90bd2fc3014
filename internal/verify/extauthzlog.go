package verify

import (
	"fmt"
	"regexp"
	"strings"
)

// ExtAuthzEntry is one decision line of Istio's sample ext-authz server:
//
//	2025/12/05 20:13:53 [gRPCv3][allowed]: httpbingo.org/headers, attributes: source:{... principal:"spiffe://..."} ...
type ExtAuthzEntry struct {
	API       string // gRPCv3, gRPCv2 or HTTP
	Decision  string // allowed or denied
	Target    string // host+path as the server printed it
	Principal string // the source principal, "" when the request carried none
	Line      string
}

var extAuthzLine = regexp.MustCompile(`\[(gRPCv3|gRPCv2|HTTP)\]\[(allowed|denied)\]: (.*?), (attributes|headers): (.*)$`)

// The server prints attributes with protobuf's text format, which varies whitespace on purpose.
var principalField = regexp.MustCompile(`principal:\s*"((?:[^"\\]|\\.)*)"`)

// ParseExtAuthzLine reads one line; ok is false for lines that are not decisions (startup messages, blank).
func ParseExtAuthzLine(line string) (ExtAuthzEntry, bool) {
	m := extAuthzLine.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return ExtAuthzEntry{}, false
	}
	e := ExtAuthzEntry{API: m[1], Decision: m[2], Target: m[3], Line: strings.TrimSpace(line)}
	if m[4] == "attributes" {
		e.Principal = sourcePrincipal(m[5])
	}
	return e, true
}

// sourcePrincipal finds principal inside the source:{...} block only: the destination block can carry one too
// (the gateway's own identity), and mistaking it for the caller's would be a false PASS.
func sourcePrincipal(attrs string) string {
	block, ok := textBlock(attrs, "source:")
	if !ok {
		return ""
	}
	if m := principalField.FindStringSubmatch(block); m != nil {
		return m[1]
	}
	return ""
}

// textBlock returns the {...} body following key at the top level of a protobuf text message, honouring
// nesting and quoted strings; ok is false when the key is absent or the block never closes (truncated line).
func textBlock(s, key string) (string, bool) {
	at := -1
	walk(s, func(i, depth int) bool {
		if depth == 0 && strings.HasPrefix(s[i:], key) && (i == 0 || !isIdent(s[i-1])) {
			at = i + len(key)
			return false
		}
		return true
	})
	if at < 0 {
		return "", false
	}
	rest := strings.TrimLeft(s[at:], " ")
	if !strings.HasPrefix(rest, "{") {
		return "", false
	}
	end := -1
	walk(rest, func(i, depth int) bool {
		if rest[i] == '}' && depth == 1 {
			end = i
			return false
		}
		return true
	})
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// walk calls visit for each byte outside quoted strings with the brace depth before it, until visit says stop.
func walk(s string, visit func(i, depth int) bool) {
	depth, inQuote, escaped := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inQuote {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inQuote = false
			}
			continue
		}
		if c == '"' {
			inQuote = true
			continue
		}
		if !visit(i, depth) {
			return
		}
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		}
	}
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// LastExtAuthzEntry returns the last decision for which match is true.
func LastExtAuthzEntry(logs string, match func(ExtAuthzEntry) bool) (ExtAuthzEntry, error) {
	var (
		found     ExtAuthzEntry
		ok        bool
		decisions int
	)
	for _, line := range strings.Split(logs, "\n") {
		e, isDecision := ParseExtAuthzLine(line)
		if !isDecision {
			continue
		}
		decisions++
		if match(e) {
			found, ok = e, true
		}
	}
	if !ok {
		return ExtAuthzEntry{}, fmt.Errorf("no matching ext-authz decision among %d logged", decisions)
	}
	return found, nil
}
