package stacks

import (
	"errors"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	dnsLabelRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dockerRE   = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	modelRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*(:[a-zA-Z0-9][a-zA-Z0-9._-]*)?$`)
	// durationRE is the Gateway API Duration format (GEP-2257), which kgateway's CRDs use too.
	durationRE = regexp.MustCompile(`^([0-9]{1,5}(h|m|s|ms)){1,4}$`)
)

func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabelRE.MatchString(s) }

func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if !isDNSLabel(label) {
			return false
		}
	}
	return true
}

func isIPv4CIDR(s string) bool {
	p, err := netip.ParsePrefix(s)
	return err == nil && p.Addr().Is4() && p.Masked() == p
}

// isDigits is true for a plain decimal number: strconv.Atoi alone also takes "+80" and "-0".
func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isDockerName(s string) bool { return dockerRE.MatchString(s) }

func isModelName(s string) bool { return modelRE.MatchString(s) }

func isGatewayDuration(s string) bool { return durationRE.MatchString(s) }

// durationOf parses a value already checked with isGatewayDuration; anything else is 0.
func durationOf(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0
	}
	return d
}

// splitHostPort splits "host:port"; with portOptional, a bare host means port 80.
func splitHostPort(s string, portOptional bool) (string, int, error) {
	if strings.Contains(s, "://") {
		return "", 0, errors.New("a URL: give the host without a scheme")
	}
	host, portText, found := strings.Cut(s, ":")
	switch {
	case host == "":
		return "", 0, errors.New("no host")
	case !found && portOptional:
		portText = "80"
	case !found:
		return "", 0, errors.New("no port")
	}
	if !isHostname(host) {
		if _, err := netip.ParseAddr(host); err != nil {
			return "", 0, errors.New("host is not a DNS name or IPv4 address")
		}
	}
	port, err := strconv.Atoi(portText)
	if err != nil || !isDigits(portText) || port < 1 || port > 65535 {
		return "", 0, errors.New("port must be 1-65535")
	}
	return host, port, nil
}
