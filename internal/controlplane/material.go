package controlplane

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// materialHint ends every error of CRDDir and ChartMirror: the only fix is fetching the pinned files.
const materialHint = "run `make crds` to download the pinned CRDs and the chart mirror"

// CRDDir is the directory holding the pinned CRD files of one bundle at one version, e.g. CRDDir("gateway-api",
// versions.GatewayAPI): crds/<bundle>/<version> in the shared material (see material), else in the cache that
// `make crds` fills (hack/fetch-schemas.sh writes it sha256-verified).
func CRDDir(bundle, version string) (string, error) {
	rel := filepath.Join("crds", bundle, version)
	return material(rel, filepath.Join("schemas", rel))
}

// ChartMirror is the directory chart mirror (<chart>/<version>/Chart.yaml for every pinned chart, the layout
// kube.ChartSource reads): helm-charts in the shared material, else the one hack/fetch-charts.sh (`make crds`)
// pulls into the cache.
func ChartMirror() (string, error) {
	return material("helm-charts", "helm-charts")
}

// material finds a directory of pinned upstream files: $EGRESS_MESH_SHARED/<shared> when that variable is set
// (and nowhere else), otherwise ../shared/<shared> beside the repository root, then <cache>/<cached> under
// ${XDG_CACHE_HOME:-~/.cache}/egress-mesh. The first that exists is returned; with none, the error lists what
// was tried and says to run `make crds`.
func material(shared, cached string) (string, error) {
	var tried []string
	if env := os.Getenv(EnvShared); env != "" {
		tried = append(tried, filepath.Join(env, shared))
	} else {
		if root, err := RepoRoot(); err == nil {
			tried = append(tried, filepath.Join(filepath.Dir(root), "shared", shared))
		}
		if cache, err := cacheDir(); err == nil {
			tried = append(tried, filepath.Join(cache, cached))
		}
	}
	for _, dir := range tried {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no %s found (tried %s); %s", shared, strings.Join(tried, ", "), materialHint)
}

// cacheDir is ${XDG_CACHE_HOME:-$HOME/.cache}/egress-mesh, where the hack/ scripts keep what they fetch or build.
func cacheDir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "egress-mesh"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".cache", "egress-mesh"), nil
}
