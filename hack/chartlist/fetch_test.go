package main

import (
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// hack/fetch-charts.sh cannot reach a registry here, so these tests run it with testdata/helm, a stub that checks
// its arguments and unpacks a minimal chart; `go run ./hack/chartlist` inside the script is the real one.

type fetchRun struct {
	out, log string
	err      error
}

// fetchCharts runs the script with the stub helm first on PATH and the cache under cache; env adds STUB_*.
func fetchCharts(t *testing.T, cache string, env ...string) fetchRun {
	t.Helper()
	stub, err := filepath.Abs("testdata")
	require.NoError(t, err)
	logFile := filepath.Join(t.TempDir(), "helm.log")
	cmd := exec.Command("bash", filepath.Join("..", "fetch-charts.sh"))
	cmd.Env = append(os.Environ(),
		"PATH="+stub+string(os.PathListSeparator)+os.Getenv("PATH"),
		"XDG_CACHE_HOME="+cache,
		// go run inside the script would otherwise build into the throw-away XDG_CACHE_HOME from scratch.
		"GOCACHE="+goEnv(t, "GOCACHE"),
		"STUB_LOG="+logFile,
	)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	log, _ := os.ReadFile(logFile)
	return fetchRun{out: string(out), log: string(log), err: err}
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// wantPull is the helm call the script must make for a pin (the stub adds the temporary --untardir).
func wantPull(c versions.Chart) string {
	if c.Repo == "" {
		return "pull " + c.Name + " --version " + c.Version + " --untar --untardir "
	}
	return "pull " + path.Base(c.Name) + " --repo " + c.Repo + " --version " + c.Version + " --untar --untardir "
}

func pulls(log string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line != "" {
			// Drop the temporary directory, which differs each run.
			out = append(out, line[:strings.LastIndex(line, "--untardir ")+len("--untardir ")])
		}
	}
	return out
}

// mirrorEntries lists <cache>/egress-mesh/helm-charts/<chart>/<version> and anything else left at either level.
func mirrorEntries(t *testing.T, mirror string) []string {
	t.Helper()
	var out []string
	charts, err := os.ReadDir(mirror)
	require.NoError(t, err)
	for _, c := range charts {
		if !c.IsDir() {
			out = append(out, c.Name())
			continue
		}
		vs, err := os.ReadDir(filepath.Join(mirror, c.Name()))
		require.NoError(t, err)
		for _, v := range vs {
			out = append(out, c.Name()+"/"+v.Name())
		}
	}
	return out
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "want the script to exit non-zero, got %v", err)
	return exit.ExitCode()
}

func TestFetchChartsWithStubHelm(t *testing.T) {
	cache := t.TempDir()
	mirror := filepath.Join(cache, "egress-mesh", "helm-charts")
	var want, wantDirs []string
	for _, c := range versions.Charts {
		want = append(want, wantPull(c))
		wantDirs = append(wantDirs, path.Base(c.Name)+"/"+c.Version)
	}

	// A cold cache: one pull per pin, each in the mirror layout that chartMirror reads, nothing else left behind.
	r := fetchCharts(t, cache)
	require.NoError(t, r.err, r.out)
	assert.Equal(t, want, pulls(r.log))
	assert.ElementsMatch(t, wantDirs, mirrorEntries(t, mirror), "no temporary directories left")
	require.NoError(t, kube.ChartSource(mirror).Validate(versions.Charts...))
	assert.Contains(t, r.out, "charts ready in "+mirror)

	// Warm: every chart is skipped, helm is not called.
	r = fetchCharts(t, cache)
	require.NoError(t, r.err, r.out)
	assert.Empty(t, r.log, "helm called for a cached chart")
	assert.Equal(t, len(versions.Charts), strings.Count(r.out, "cached "))

	// A failed pull fails the run, names the chart, and the other missing charts are still pulled.
	kyverno, kgateway := versions.KyvernoChart, versions.KGatewayController
	kyvernoDir := filepath.Join(mirror, path.Base(kyverno.Name), kyverno.Version)
	kgatewayDir := filepath.Join(mirror, path.Base(kgateway.Name), kgateway.Version)
	require.NoError(t, os.RemoveAll(kyvernoDir))
	require.NoError(t, os.RemoveAll(kgatewayDir))
	r = fetchCharts(t, cache, "STUB_FAIL=kyverno")
	assert.Equal(t, 1, exitCode(t, r.err))
	assert.Equal(t, []string{wantPull(kgateway), wantPull(kyverno)}, pulls(r.log))
	assert.Contains(t, r.out, "Error: stub: failed to fetch kyverno")
	assert.Contains(t, r.out, "fetch-charts: helm pull kyverno --repo "+kyverno.Repo+" --version "+kyverno.Version+" failed")
	assert.Contains(t, r.out, "not in the mirror: kyverno "+kyverno.Version)
	assert.FileExists(t, filepath.Join(kgatewayDir, "Chart.yaml"))
	assert.NoDirExists(t, kyvernoDir)

	// What helm unpacked must be the pinned chart: wrong version, wrong name, extra or missing entries are
	// refused and nothing is stored.
	for stub, msg := range map[string]string{
		"STUB_WRONG_VERSION=kyverno": "Chart.yaml says version '0.0.0-stub', want '" + kyverno.Version + "'; not stored",
		"STUB_WRONG_NAME=kyverno":    "Chart.yaml says name 'not-kyverno', want 'kyverno'; not stored",
		"STUB_EXTRA=kyverno":         "helm pull of kyverno " + kyverno.Version + " left 2 entries, want one chart directory",
		"STUB_NOTHING=kyverno":       "helm pull of kyverno " + kyverno.Version + " left 0 entries, want one chart directory",
	} {
		r = fetchCharts(t, cache, stub)
		assert.Equal(t, 1, exitCode(t, r.err), stub)
		assert.Contains(t, r.out, msg, stub)
		assert.Equal(t, []string{wantPull(kyverno)}, pulls(r.log), stub)
		assert.NoDirExists(t, kyvernoDir, stub)
	}
	assert.ElementsMatch(t, wantDirs, append(mirrorEntries(t, mirror), "kyverno/"+kyverno.Version),
		"no temporary directories left after failures")

	// A cached chart whose Chart.yaml does not match its place is reported, not trusted or overwritten.
	r = fetchCharts(t, cache)
	require.NoError(t, r.err, r.out)
	chartYAML := filepath.Join(kgatewayDir, "Chart.yaml")
	require.NoError(t, os.WriteFile(chartYAML, []byte("name: kgateway\nversion: v0.0.1\n"), 0o644))
	r = fetchCharts(t, cache)
	assert.Equal(t, 1, exitCode(t, r.err))
	assert.Contains(t, r.out, kgatewayDir+": Chart.yaml says version 'v0.0.1', want '"+kgateway.Version+"'; delete that directory and run again")
	assert.Empty(t, r.log)

	// Debris without a Chart.yaml (an old interrupted copy) is replaced.
	require.NoError(t, os.RemoveAll(kgatewayDir))
	require.NoError(t, os.MkdirAll(filepath.Join(kgatewayDir, "debris"), 0o755))
	r = fetchCharts(t, cache)
	require.NoError(t, r.err, r.out)
	assert.Equal(t, []string{wantPull(kgateway)}, pulls(r.log))
	assert.NoDirExists(t, filepath.Join(kgatewayDir, "debris"))
	require.NoError(t, kube.ChartSource(mirror).Validate(versions.Charts...))
}

// Without helm the script stops before touching the cache and says what to install.
func TestFetchChartsWithoutHelm(t *testing.T) {
	bash, err := exec.LookPath("bash")
	require.NoError(t, err)
	dirname, err := exec.LookPath("dirname")
	require.NoError(t, err)
	bin := t.TempDir() // PATH holds only dirname: no helm, whatever the machine has installed
	require.NoError(t, os.Symlink(dirname, filepath.Join(bin, "dirname")))
	cache := t.TempDir()
	cmd := exec.Command(bash, filepath.Join("..", "fetch-charts.sh"))
	cmd.Env = []string{"PATH=" + bin, "HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + cache}
	out, err := cmd.CombinedOutput()
	assert.Equal(t, 1, exitCode(t, err))
	assert.Contains(t, string(out), "fetch-charts: helm is not on PATH")
	assert.Contains(t, string(out), "install Helm 3.8 or newer")
	entries, err := os.ReadDir(cache)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written without helm")
}
