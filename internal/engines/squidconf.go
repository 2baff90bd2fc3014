package engines

import (
	"fmt"
	"regexp"
	"strings"
)

// LoopbackSquid is what differs between the program's squid.conf and the one a test runs. Everything else is
// the program's text, line for line.
type LoopbackSquid struct {
	Listen string // http_port: 127.0.0.1:<free port> instead of the container's port on every address
	Dir    string // a temp dir for what the container keeps under /var: access log, cache log, pid, core dumps
	// Files maps container paths the conf names (the htpasswd mount) to where the test wrote them.
	Files map[string]string
	// Sources replaces the addresses of every `acl <name> src ...` line: the cluster's pod addresses do not
	// exist here, so the allowed source becomes 127.0.0.1 and any other loopback address (127.0.0.2) is outside.
	Sources string
	// Hosts resolves the program's destination names to the test's loopback servers (hosts_file), and DNS goes
	// to 127.0.0.1, so no lookup or connection leaves the machine.
	Hosts map[string]string
}

var (
	httpPortLine  = regexp.MustCompile(`(?m)^http_port\s+\S+(.*)$`)
	srcACLLine    = regexp.MustCompile(`(?m)^acl\s+(\S+)\s+src\s+.*$`)
	accessLogLine = regexp.MustCompile(`(?m)^access_log\s+(daemon:|stdio:)?(/\S+)(.*)$`)
	coredumpLine  = regexp.MustCompile(`(?m)^coredump_dir\s+\S+$`)
)

// HostsFile is the hosts_file content for Hosts.
func (o LoopbackSquid) HostsFile() string {
	var b strings.Builder
	for name, addr := range o.Hosts {
		fmt.Fprintf(&b, "%s %s\n", addr, name)
	}
	return b.String()
}

// Rewrite applies the overrides to conf. Each rewrite must find its directive: a conf that changed shape fails
// here instead of running with the container's paths or the cluster's addresses.
func (o LoopbackSquid) Rewrite(conf string) (string, error) {
	var missing []string
	replace := func(re *regexp.Regexp, what string, with func(m []string) string) {
		if !re.MatchString(conf) {
			missing = append(missing, what)
			return
		}
		conf = re.ReplaceAllStringFunc(conf, func(s string) string { return with(re.FindStringSubmatch(s)) })
	}
	replace(httpPortLine, "http_port", func(m []string) string { return "http_port " + o.Listen + m[1] })
	replace(srcACLLine, "acl ... src", func(m []string) string { return "acl " + m[1] + " src " + o.Sources })
	replace(accessLogLine, "access_log", func(m []string) string {
		return "access_log " + m[1] + o.Dir + "/access.log" + m[3]
	})
	replace(coredumpLine, "coredump_dir", func([]string) string { return "coredump_dir " + o.Dir })
	for from, to := range o.Files {
		if !strings.Contains(conf, from) {
			missing = append(missing, from)
		}
		conf = strings.ReplaceAll(conf, from, to)
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("squid.conf has no %s to point at the test's loopback/temp dir:\n%s", strings.Join(missing, ", "), conf)
	}
	// Not in the program's conf because the image's defaults serve: Debian's defaults point under /var/run and
	// /var/log/squid, which an unprivileged temp-dir run must not touch.
	conf += "\n# test only: temp-dir paths instead of Debian's /var defaults\n"
	conf += fmt.Sprintf("pid_filename %s/squid.pid\ncache_log %s/cache.log\n", o.Dir, o.Dir)
	if len(o.Hosts) > 0 {
		conf += "# test only: destinations resolve to loopback test servers, nothing else resolves\n"
		conf += fmt.Sprintf("hosts_file %s/hosts\ndns_nameservers 127.0.0.1\n", o.Dir)
	}
	return conf, nil
}
