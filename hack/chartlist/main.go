// Command chartlist prints every pinned Helm chart (versions.Charts) for hack/fetch-charts.sh, one line each:
//
//	<chart base name> <version> <https:// repository, or the chart's full oci:// reference>
//
// The base name is the directory the chart takes in a directory mirror (<base name>/<version>/Chart.yaml, as
// internal/kube.ChartSource reads it), so the pins are written once, in versions/versions.go.
//
//	go run ./hack/chartlist
package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/egress-mesh/egress-mesh/versions"
)

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./hack/chartlist (no arguments): prints <chart> <version> <repository or oci:// reference> per pinned chart")
		os.Exit(2)
	}
	if err := write(os.Stdout, versions.Charts); err != nil {
		fmt.Fprintf(os.Stderr, "chartlist: %v\n", err)
		os.Exit(1)
	}
}

// write prints the lines, after checking each pin can be pulled as the script does it: an https:// repository
// with a plain chart name, or no repository and an oci:// reference; no field may be empty or hold whitespace,
// and no two charts may share a mirror directory.
func write(w io.Writer, charts []versions.Chart) error {
	var b strings.Builder
	seen := map[string]bool{}
	for _, c := range charts {
		name, ref := path.Base(c.Name), c.Repo
		switch {
		case c.Repo == "" && strings.HasPrefix(c.Name, "oci://"):
			ref = c.Name
		case strings.HasPrefix(c.Repo, "https://") && !strings.Contains(c.Name, "/"):
		default:
			return fmt.Errorf("%s: want an https:// repository and a chart name, or an oci:// reference", c.Ref())
		}
		for _, field := range []string{name, c.Version, ref} {
			if field == "" || strings.ContainsAny(field, " \t\r\n") {
				return fmt.Errorf("%s: empty field or whitespace in %q", c.Ref(), field)
			}
		}
		if seen[name+"/"+c.Version] {
			return fmt.Errorf("%s: %s/%s is listed twice", c.Ref(), name, c.Version)
		}
		seen[name+"/"+c.Version] = true
		fmt.Fprintf(&b, "%s %s %s\n", name, c.Version, ref)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
