package pulumiengine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/internal/controlplane/proctest"
	"github.com/egress-mesh/egress-mesh/internal/simcluster"
	"github.com/egress-mesh/egress-mesh/versions"
)

func TestPinsMatchToolsModules(t *testing.T) {
	root := filepath.Join("..", "..")
	assert.Equal(t, versions.PulumiCLI, proctest.RequiredVersion(t, root, "pulumi", "github.com/pulumi/pulumi/pkg/v3"))
	assert.Equal(t, versions.PulumiLanguageGo, proctest.RequiredVersion(t, root, "pulumi-language-go", "github.com/pulumi/pulumi/sdk/v3"))
	assert.Equal(t, versions.PulumiKubernetesProviderBuild,
		proctest.RequiredVersion(t, root, "pulumi-kubernetes", "github.com/pulumi/pulumi-kubernetes/provider/v4"))
}

func TestKubernetesPluginVersionComesFromGoMod(t *testing.T) {
	v, err := KubernetesPluginVersion(filepath.Join("..", ".."))
	require.NoError(t, err)
	assert.Regexp(t, `^v4\.\d+\.\d+$`, v)
	_, err = KubernetesPluginVersion(t.TempDir())
	assert.Error(t, err, "a directory without go.mod must not yield a version")
}

// TestEngineLifecycle drives a one-ConfigMap program through the real engine and provider against a simulated
// cluster: preview, up, a preview that must show no changes, an in-place update, export and destroy, checking each
// step's effect in the API server rather than in the engine's own report.
func TestEngineLifecycle(t *testing.T) {
	cluster, engine, ctx := startEngine(t, 15*time.Minute)

	stack := engine.Stack(ctx, t, filepath.Join("testdata", "configmap"), "configmap", "test", auto.ConfigMap{
		"kubeconfig": {Value: cluster.Kubeconfig()},
		"key":        {Value: "hello"},
		"value":      {Value: "world"},
	})
	configMaps := cluster.Client.CoreV1().ConfigMaps("default")
	step := func(name string, began time.Time) { t.Logf("%s: %s", name, time.Since(began).Round(time.Millisecond)) }

	began := time.Now()
	preview, err := stack.Preview(ctx)
	require.NoError(t, err)
	step("preview", began)
	assert.Equal(t, 3, preview.Changes[apitype.OpCreate], "stack, provider and ConfigMap:\n%s", preview.Diff)
	assert.Contains(t, preview.Diff, "+ kubernetes:core/v1:ConfigMap")
	_, err = configMaps.Get(ctx, "greeting", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "preview must not create anything: %v", err)

	began = time.Now()
	up, err := stack.Up(ctx)
	require.NoError(t, err)
	step("up", began)
	cm, err := configMaps.Get(ctx, "greeting", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"hello": "world"}, cm.Data)
	// The provider leaves a copy of the kubeconfig in its TMPDIR (see New); it must be the engine's, not the host's.
	leftKubeconfigs, err := filepath.Glob(filepath.Join(engine.TempDir(), "kubeconfig*"))
	require.NoError(t, err)
	assert.NotEmpty(t, leftKubeconfigs, "the provider's kubeconfig copy must land in the engine's temp dir")
	steps := Steps(up.Events)
	require.Len(t, steps, 2, "provider and ConfigMap")
	ex, err := stack.Export(ctx)
	require.NoError(t, err)
	tl := Analyse(steps, Dependencies(ex))
	t.Logf("up timeline: %s", tl)
	assert.Equal(t, []string{"sim", "greeting"}, shortNames(tl.Chain), "the ConfigMap waits for its provider")

	began = time.Now()
	_, err = stack.PreviewExpectNoChanges(ctx)
	require.NoError(t, err, "a second preview must show no changes")
	step("no-change preview", began)

	// Negative control: after a config change, the same no-change check must fail.
	require.NoError(t, stack.SetConfig(ctx, auto.ConfigMap{"value": {Value: "again"}}))
	_, err = stack.PreviewExpectNoChanges(ctx)
	require.Error(t, err, "a changed value must make --expect-no-changes fail")

	preview, err = stack.Preview(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[apitype.OpType]int{apitype.OpUpdate: 1, apitype.OpSame: 2}, preview.Changes, preview.Diff)
	assert.Contains(t, preview.Diff, `~ data: {`, preview.Diff)
	assert.Contains(t, preview.Diff, `"again"`, preview.Diff)
	_, err = stack.Up(ctx)
	require.NoError(t, err)
	updated, err := configMaps.Get(ctx, "greeting", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "again", updated.Data["hello"])
	assert.Equal(t, cm.UID, updated.UID, "updated in place, not replaced")

	ex, err = stack.Export(ctx)
	require.NoError(t, err)
	var types []string
	for _, r := range ex.Resources {
		types = append(types, string(r.Type))
	}
	assert.ElementsMatch(t, []string{"pulumi:pulumi:Stack", "pulumi:providers:kubernetes", "kubernetes:core/v1:ConfigMap"}, types)

	// The language host runs the prebuilt program rather than building its own: without that program, a preview
	// cannot run the stack (a host that built the program would preview as before).
	require.NoError(t, os.Rename(stack.program, stack.program+".away"))
	_, err = stack.Preview(ctx)
	require.Error(t, err, "the language host must run the prebuilt program, not build its own")
	assert.Contains(t, err.Error(), stack.program)
	require.NoError(t, os.Rename(stack.program+".away", stack.program))

	began = time.Now()
	_, err = stack.Destroy(ctx)
	require.NoError(t, err)
	step("destroy", began)
	_, err = configMaps.Get(ctx, "greeting", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "destroy must delete the ConfigMap: %v", err)

	// The program is built in this repository's module, whose go.mod also requires the pulumi-command and
	// pulumi-docker SDKs, so the language host reports those plugins as required too. Only the Kubernetes provider
	// is installed and automatic acquisition is off, yet every step above passed: the engine's up-front install is
	// best effort ("If we can't install missing plugins, just proceed; we'll fail later", pkg/engine/update.go in
	// v3.274.1) and a provider is loaded only when a resource of its package is registered. So a stack that
	// registers no command or docker resource needs neither plugin.
	plugins, err := engine.Plugins()
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(plugins, "kubernetes"), plugins)
	assert.NotContains(t, plugins, "docker", plugins)
	assert.NotContains(t, plugins, "command", plugins)
}

// TestConfigMapDataChangeReplacesByDefault is why the program's provider sets enableConfigMapMutable: without
// it the provider plans a replace for a ConfigMap whose data changed, and a named object is deleted before it is
// re-created.
func TestConfigMapDataChangeReplacesByDefault(t *testing.T) {
	cluster, engine, ctx := startEngine(t, 10*time.Minute)
	config := auto.ConfigMap{
		"kubeconfig": {Value: cluster.Kubeconfig()}, "key": {Value: "hello"}, "value": {Value: "world"},
		"mutable": {Value: "false"},
	}
	stack := engine.Stack(ctx, t, filepath.Join("testdata", "configmap"), "configmap", "immutable", config)
	_, err := stack.Up(ctx)
	require.NoError(t, err)
	require.NoError(t, stack.SetConfig(ctx, auto.ConfigMap{"value": {Value: "again"}}))
	preview, err := stack.Preview(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[apitype.OpType]int{apitype.OpReplace: 1, apitype.OpSame: 2}, preview.Changes, preview.Diff)
}

// TestEngineReportsServerRejection is the negative control for the runner: an object the API server rejects makes
// Up fail with the server's message, so a passing Up means the objects were really admitted.
func TestEngineReportsServerRejection(t *testing.T) {
	cluster, engine, ctx := startEngine(t, 10*time.Minute)
	stack := engine.Stack(ctx, t, filepath.Join("testdata", "configmap"), "configmap", "bad", auto.ConfigMap{
		"kubeconfig": {Value: cluster.Kubeconfig()},
		"key":        {Value: "not a valid key!"}, // ConfigMap keys must match [-._a-zA-Z0-9]+
		"value":      {Value: "x"},
	})
	_, err := stack.Up(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a valid config key must consist of alphanumeric characters")
	_, getErr := cluster.Client.CoreV1().ConfigMaps("default").Get(ctx, "greeting", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(getErr))
}

// startEngine starts a simulated cluster and an engine for one test, with a context that ends with the test.
func startEngine(t *testing.T, timeout time.Duration) (*simcluster.Cluster, *Engine, context.Context) {
	t.Helper()
	proctest.SkipShort(t, "the Pulumi engine check (Pulumi CLI, Go language host and Kubernetes provider on a simulated cluster)")
	cluster := simcluster.Start(t, simcluster.Options{})
	root, err := controlplane.RepoRoot()
	require.NoError(t, err)
	engine := New(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return cluster, engine, ctx
}

// TestProjectFileKeepsSchemaDropsBackend reads the repository's own Pulumi.yaml: its config schema (defaults the
// program relies on) must survive, and its file:// backend must not, or state would land in the user's home.
func TestProjectFileKeepsSchemaDropsBackend(t *testing.T) {
	b, err := projectFile(filepath.Join("..", ".."), "ignored", "../../program")
	require.NoError(t, err)
	s := string(b)
	assert.Contains(t, s, "name: egress-mesh")
	assert.Contains(t, s, "main: ../../program")
	assert.Contains(t, s, "squidMode:", "the config schema is carried over")
	assert.NotContains(t, s, "backend", s)

	b, err = projectFile(t.TempDir(), "configmap", "x")
	require.NoError(t, err)
	assert.Equal(t, "main: x\nname: configmap\nruntime: go\n", string(b))
}
