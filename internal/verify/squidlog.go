package verify

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var squidTime = regexp.MustCompile(`^\d{1,12}(\.\d{1,6})?$`)

// SquidEntry is one line of Squid's native access.log:
// time elapsed client result/status bytes method URL user hierarchy/peer type.
type SquidEntry struct {
	Time      time.Time
	ElapsedMS int
	Client    string
	Result    string // TCP_TUNNEL, TCP_MISS, TCP_DENIED...
	Status    int
	Bytes     int64
	Method    string
	URL       string // host:port for CONNECT, an absolute URL otherwise
	Hierarchy string // HIER_DIRECT/66.241.125.232
	Line      string
}

// Host is the destination host the request was for.
func (e SquidEntry) Host() string {
	if e.Method == "CONNECT" {
		if h, _, err := net.SplitHostPort(e.URL); err == nil {
			return h
		}
		return e.URL
	}
	if u, err := url.Parse(e.URL); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return ""
}

// ParseSquidLine reads one native-format access.log line; anything else is an error naming the bad field.
func ParseSquidLine(line string) (SquidEntry, error) {
	f := strings.Fields(line)
	if len(f) < 10 {
		return SquidEntry{}, fmt.Errorf("not a Squid access.log line (%d fields, want 10): %q", len(f), line)
	}
	// Squid writes seconds.milliseconds; the pattern also keeps out NaN, Inf and exponents ParseFloat accepts.
	secs, err := strconv.ParseFloat(f[0], 64)
	if !squidTime.MatchString(f[0]) || err != nil {
		return SquidEntry{}, fmt.Errorf("squid log: bad timestamp %q", f[0])
	}
	elapsed, err := strconv.Atoi(f[1])
	if err != nil {
		return SquidEntry{}, fmt.Errorf("squid log: bad elapsed time %q", f[1])
	}
	result, code, ok := strings.Cut(f[3], "/")
	status, err := strconv.Atoi(code)
	if !ok || err != nil || result == "" {
		return SquidEntry{}, fmt.Errorf("squid log: bad result code %q", f[3])
	}
	size, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil {
		return SquidEntry{}, fmt.Errorf("squid log: bad byte count %q", f[4])
	}
	whole := int64(secs)
	return SquidEntry{
		Time:      time.Unix(whole, int64((secs-float64(whole))*1e9)),
		ElapsedMS: elapsed,
		Client:    f[2],
		Result:    result,
		Status:    status,
		Bytes:     size,
		Method:    f[5],
		URL:       f[6],
		Hierarchy: f[8],
		Line:      strings.TrimSpace(line),
	}, nil
}

// LastSquidEntry returns the last entry for host logged at or after since (zero since: any time). Lines that
// are not access-log entries (Squid's startup messages share the stream) are skipped.
func LastSquidEntry(logs, host string, since time.Time) (SquidEntry, error) {
	return lastSquid(logs, since, host, func(e SquidEntry) bool { return strings.EqualFold(e.Host(), host) })
}

// LastSquidConnect returns the last CONNECT to target (host:port) logged at or after since.
func LastSquidConnect(logs, target string, since time.Time) (SquidEntry, error) {
	return lastSquid(logs, since, "CONNECT "+target, func(e SquidEntry) bool {
		return e.Method == "CONNECT" && strings.EqualFold(e.URL, target)
	})
}

func lastSquid(logs string, since time.Time, what string, match func(SquidEntry) bool) (SquidEntry, error) {
	var (
		found          SquidEntry
		ok             bool
		entries, stale int
	)
	for _, line := range strings.Split(logs, "\n") {
		e, err := ParseSquidLine(line)
		if err != nil {
			continue
		}
		entries++
		if !match(e) {
			continue
		}
		if e.Time.Before(since) {
			stale++
			continue
		}
		found, ok = e, true
	}
	if ok {
		return found, nil
	}
	if stale > 0 {
		return SquidEntry{}, fmt.Errorf("squid logged %s only before %s (%d older entries)", what, since.UTC().Format(time.RFC3339), stale)
	}
	return SquidEntry{}, fmt.Errorf("no Squid access-log entry for %s among %d entries", what, entries)
}
