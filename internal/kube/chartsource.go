package kube

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/egress-mesh/egress-mesh/versions"
)

// ChartSource says where every chart comes from:
//   - "" : each pin's upstream repository (versions.go);
//   - a directory holding <chart>/<version>/ chart directories, unpacked as published (an air-gapped mirror;
//     CI uses ../shared/helm-charts);
//   - an oci:// prefix or an https:// Helm repository that serves every chart under its own name.
type ChartSource string

// Kind of source, for messages and validation.
func (s ChartSource) isRegistry() bool {
	return strings.HasPrefix(string(s), "oci://") || strings.HasPrefix(string(s), "https://")
}

// baseName is a chart's name without its repository ("oci://.../kgateway-crds" -> "kgateway-crds").
func baseName(pin versions.Chart) string { return path.Base(pin.Name) }

// Locate returns the chart reference, its version and the repository URL (empty for OCI references and local
// directories) that Helm should be given for pin. A local chart directory is given without a version: it is
// the version its path names, which Validate checked.
func (s ChartSource) Locate(pin versions.Chart) (chart, version, repo string) {
	switch {
	case s == "":
		return pin.Name, pin.Version, pin.Repo
	case strings.HasPrefix(string(s), "oci://"):
		return strings.TrimSuffix(string(s), "/") + "/" + baseName(pin), pin.Version, ""
	case strings.HasPrefix(string(s), "https://"):
		return baseName(pin), pin.Version, string(s)
	default:
		return filepath.Join(string(s), baseName(pin), pin.Version), "", ""
	}
}

// Validate checks a directory mirror before anything is created: every pinned chart must be there, with a
// Chart.yaml, at exactly the pinned version. A registry cannot be checked offline; it is taken as given.
func (s ChartSource) Validate(pins ...versions.Chart) error {
	if s == "" || s.isRegistry() {
		return nil
	}
	if !filepath.IsAbs(string(s)) {
		return fmt.Errorf("%q is not an absolute directory path, oci:// prefix or https:// repository", string(s))
	}
	var missing []string
	for _, pin := range pins {
		dir, _, _ := s.Locate(pin)
		if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err != nil {
			missing = append(missing, filepath.Join(baseName(pin), pin.Version))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%q lacks %s (want <chart>/<version>/Chart.yaml for every pinned chart)",
			string(s), strings.Join(missing, ", "))
	}
	return nil
}
