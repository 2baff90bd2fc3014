package pulumiengine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/internal/simcluster"
	"github.com/egress-mesh/egress-mesh/stacks"
	"github.com/egress-mesh/egress-mesh/versions"
)

// programCase is one of the repository's stacks, run on a simulated cluster as an existing cluster.
type programCase struct {
	stack     string
	overrides map[string]string // config keys set on top of Pulumi.<stack>.yaml (a trailing "!" makes it secret)
	change    map[string]string // the config change of step 3
}

func programCases(t *testing.T) []programCase {
	password := randomHex(t)
	return []programCase{
		{
			stack: "dev",
			// An Ollama that already runs: no Docker engine needed. 192.0.2.10 is TEST-NET-1 (RFC 5737).
			overrides: map[string]string{"ollamaMode": "existing", "ollamaAddress": "192.0.2.10"},
			change:    map[string]string{"retryAttempts": "4"},
		},
		{
			stack:     "squid",
			overrides: map[string]string{"squidUsername": "egress", "squidPassword!": password},
			change:    map[string]string{"destinations": `["httpbingo.org:80","tls://httpbin.org","example.com:80"]`},
		},
	}
}

// TestStacksOnTheRealEngine takes each stack through what a user does: preview, up, a preview that must show no
// changes, a config change previewed and applied, an export, destroy; on the real Pulumi engine and Kubernetes
// provider against a simulated cluster, checking each step in the API server rather than in the engine's report.
func TestStacksOnTheRealEngine(t *testing.T) {
	for _, c := range programCases(t) {
		t.Run(c.stack, func(t *testing.T) { runProgram(t, c) })
	}
}

func runProgram(t *testing.T, c programCase) {
	cluster, engine, ctx := startEngine(t, 25*time.Minute)
	root, err := controlplane.RepoRoot()
	require.NoError(t, err)
	mirror, err := controlplane.ChartMirror()
	require.NoError(t, err)
	gatewayAPI, err := controlplane.CRDDir("gateway-api", versions.GatewayAPI)
	require.NoError(t, err)
	kubeconfig, err := os.ReadFile(cluster.Kubeconfig())
	require.NoError(t, err)

	settings := map[string]string{
		"cluster": "existing", "kubeconfig!": string(kubeconfig),
		// Installing without the internet: the charts and the Gateway API CRDs from the shared mirror.
		"chartMirror":    mirror,
		"gatewayAPICRDs": gatewayAPI,
	}
	for k, v := range c.overrides {
		settings[k] = v
	}
	raw := stackRaw(t, root, c.stack, settings)
	rendered, err := render.Run(c.stack, raw, false)
	require.NoError(t, err, "render of the same config")

	before, err := cluster.Snapshot(ctx)
	require.NoError(t, err)
	stack := engine.Stack(ctx, t, root, "egress-mesh", c.stack, engineConfig(raw))
	report := newReport(t, c.stack)

	// 1. preview, then up; the server's objects are render's, field by field.
	began := time.Now()
	preview, err := stack.Preview(ctx)
	require.NoError(t, err)
	report.step("preview", began, preview.Diff)
	// The engine plans to create every custom resource render records, plus what the provider expands charts
	// (helm.sh/v4 Chart) and manifests (yaml/v2) into, which render cannot know offline.
	planned := previewedChanges(preview.Events)
	for urn := range customResources(rendered.Rec) {
		assert.Equal(t, apitype.OpCreate, planned[urn], "render records %s", urn)
		delete(planned, urn)
	}
	for urn, op := range planned {
		assert.True(t, op == apitype.OpCreate && expandedByProvider(urn), "the engine plans %s %s, which render does not record", op, urn)
	}
	report.line("preview: %d resources the program registers, %d the provider expands charts and manifests into",
		len(customResources(rendered.Rec)), len(planned))

	began = time.Now()
	up, err := stack.Up(ctx)
	require.NoError(t, err)
	report.step("up", began, "")
	ex, err := stack.Export(ctx)
	require.NoError(t, err)
	report.timeline("up", Analyse(Steps(up.Events), Dependencies(ex)), Steps(up.Events))
	uids := serverMatchesRender(ctx, t, cluster, rendered)
	releasesInstalled(ctx, t, cluster, rendered)
	report.line("objects in the state found on the server: %d", stateObjectsOnServer(ctx, t, cluster, ex))

	// 2. a second preview shows no changes.
	began = time.Now()
	_, err = stack.PreviewExpectNoChanges(ctx)
	require.NoError(t, err, "a second preview must show no changes")
	report.step("no-change preview", began, "")

	// 3. a config change previews exactly what render predicts and updates in place.
	changedRaw := stackRaw(t, root, c.stack, merge(settings, c.change))
	changedRender, err := render.Run(c.stack, changedRaw, false)
	require.NoError(t, err)
	want := plannedChanges(rendered.Rec, changedRender.Rec)
	require.NotEmpty(t, want, "the change must change something")
	require.NoError(t, stack.SetConfig(ctx, engineConfig(subset(changedRaw, c.change))))
	began = time.Now()
	changePreview, err := stack.Preview(ctx)
	require.NoError(t, err)
	report.step(fmt.Sprintf("preview of %v", c.change), began, changePreview.Diff)
	assert.Equal(t, want, previewedChanges(changePreview.Events), changePreview.Diff)
	began = time.Now()
	_, err = stack.Up(ctx)
	require.NoError(t, err)
	report.step("up of the change", began, "")
	changedUIDs := serverMatchesRender(ctx, t, cluster, changedRender)
	for key, uid := range uids {
		if now, ok := changedUIDs[key]; ok {
			assert.Equal(t, uid, now, "%s was replaced, not updated in place", key)
		}
	}

	// 4. the state holds no secret in plain text (and does hold it, encrypted: the control).
	ex, err = stack.Export(ctx)
	require.NoError(t, err)
	secrets := plainSecrets(t, raw, string(kubeconfig))
	for what, s := range secrets {
		assert.NotContains(t, string(ex.Raw), s, "stack export shows the %s in plain text", what)
	}
	shown, err := stack.ExportShowingSecrets(ctx)
	require.NoError(t, err)
	for what, s := range secrets {
		assert.Contains(t, shown, s, "control: the state does hold the %s (encrypted)", what)
	}

	// 5. destroy leaves nothing the program made but what Helm never deletes.
	began = time.Now()
	_, err = stack.Destroy(ctx)
	require.NoError(t, err)
	report.step("destroy", began, "")
	left := leftovers(ctx, t, cluster, before)
	report.line("left after destroy: %v", left)
	for _, k := range left {
		assert.True(t, strings.HasPrefix(k, "apiextensions.k8s.io/CustomResourceDefinition "),
			"destroy left %s; only CRDs a chart installs from its crds/ directory may stay (Helm never deletes those)", k)
	}
}

// stackRaw is Pulumi.<stack>.yaml with settings on top.
func stackRaw(t *testing.T, root, stack string, settings map[string]string) stacks.Raw {
	t.Helper()
	raw, err := render.LoadStack(root, stack)
	require.NoError(t, err)
	for k, v := range settings {
		name, secret := strings.TrimSuffix(k, "!"), strings.HasSuffix(k, "!")
		raw.Values[name], raw.Secrets[name] = v, secret
	}
	return raw
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// subset is raw with only the given keys.
func subset(raw stacks.Raw, keys map[string]string) stacks.Raw {
	out := stacks.Raw{Values: map[string]string{}, Secrets: map[string]bool{}}
	for k := range keys {
		out.Values[k], out.Secrets[k] = raw.Values[k], raw.Secrets[k]
	}
	return out
}

// engineConfig is raw as stack config, secrets as secrets.
func engineConfig(raw stacks.Raw) auto.ConfigMap {
	cfg := auto.ConfigMap{}
	for k, v := range raw.Values {
		cfg[stacks.Namespace+":"+k] = auto.ConfigValue{Value: v, Secret: raw.Secrets[k]}
	}
	return cfg
}

func customResources(rec *recorder.Recorder) map[string]*recorder.Resource {
	out := map[string]*recorder.Resource{}
	for _, r := range rec.All() {
		if r.Custom {
			out[r.URN] = r
		}
	}
	return out
}

// plannedChanges is what render predicts a change does: resources new in after are created, those whose inputs
// differ are updated, those gone are deleted (URN -> operation).
func plannedChanges(before, after *recorder.Recorder) map[string]apitype.OpType {
	old, now := customResources(before), customResources(after)
	out := map[string]apitype.OpType{}
	for urn, r := range now {
		prev, ok := old[urn]
		switch {
		case !ok:
			out[urn] = apitype.OpCreate
		case !reflect.DeepEqual(normalised(prev.Plain()), normalised(r.Plain())):
			out[urn] = apitype.OpUpdate
		}
	}
	for urn := range old {
		if _, ok := now[urn]; !ok {
			out[urn] = apitype.OpDelete
		}
	}
	return out
}

// expandedByProvider: the URN's parent chain has a chart or manifest component the provider expands.
func expandedByProvider(urn string) bool {
	return strings.Contains(urn, "kubernetes:helm.sh/v4:Chart$") || strings.Contains(urn, "kubernetes:yaml/v2:")
}

// previewedChanges is what the engine plans (URN -> operation), custom resources only.
func previewedChanges(events []Event) map[string]apitype.OpType {
	out := map[string]apitype.OpType{}
	for _, ev := range events {
		if ev.ResourcePreEvent == nil {
			continue
		}
		m := ev.ResourcePreEvent.Metadata
		if m.Op != apitype.OpSame && m.Op != apitype.OpRead && custom(m) {
			out[m.URN] = m.Op
		}
	}
	return out
}

// serverMatchesRender checks every object render says the program sends against the API server, and returns
// their UIDs.
func serverMatchesRender(ctx context.Context, t *testing.T, cluster *simcluster.Cluster, r *render.Result) map[string]string {
	t.Helper()
	uids := map[string]string{}
	for _, o := range r.Objects() {
		want := o.Resource.Plain()
		want["apiVersion"], want["kind"] = o.APIVersion(), o.Kind()
		got, err := cluster.Get(ctx, o.APIVersion(), o.Kind(), o.Namespace(), o.Name())
		if !assert.NoError(t, err, "%s is not on the server", o) {
			continue
		}
		assert.Empty(t, missingFrom(want, got.Object), "%s differs from render", o)
		uids[o.String()] = string(got.GetUID())
	}
	return uids
}

// releasesInstalled checks Helm recorded each Helm release (v3 Release) as deployed, in its namespace.
func releasesInstalled(ctx context.Context, t *testing.T, cluster *simcluster.Cluster, r *render.Result) {
	t.Helper()
	for _, rel := range r.Rec.OfType("kubernetes:helm.sh/v3:Release") {
		in := rel.Plain()
		name, _ := in["name"].(string)
		ns, _ := in["namespace"].(string)
		secret, err := cluster.Client.CoreV1().Secrets(ns).Get(ctx, "sh.helm.release.v1."+name+".v1", metav1.GetOptions{})
		if assert.NoError(t, err, "release %s", name) {
			assert.Equal(t, "deployed", secret.Labels["status"], "release %s", name)
		}
	}
}

// stateObjectsOnServer checks every Kubernetes object in the state, those the charts (helm.sh/v4 Chart) and
// manifests (yaml/v2) expand to included, is on the server; it returns how many it checked.
func stateObjectsOnServer(ctx context.Context, t *testing.T, cluster *simcluster.Cluster, ex Export) int {
	t.Helper()
	n := 0
	for _, r := range ex.Resources {
		typ := string(r.Type)
		if !r.Custom || !strings.HasPrefix(typ, "kubernetes:") || strings.HasPrefix(typ, "kubernetes:helm.sh/") {
			continue
		}
		apiVersion, _ := r.Outputs["apiVersion"].(string)
		kind, _ := r.Outputs["kind"].(string)
		meta, _ := r.Outputs["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		ns, _ := meta["namespace"].(string)
		if apiVersion == "" || kind == "" || name == "" {
			continue // the provider resource
		}
		_, err := cluster.Get(ctx, apiVersion, kind, ns, name)
		assert.NoError(t, err, "%s in the state is not on the server", r.URN)
		n++
	}
	return n
}

// plainSecrets are the secret values that must never be in the state in plain text: the kubeconfig's token and,
// with proxy credentials, the password, the Proxy-Authorization value built from it and the htpasswd line.
func plainSecrets(t *testing.T, raw stacks.Raw, kubeconfig string) map[string]string {
	t.Helper()
	kc, err := clientcmd.Load([]byte(kubeconfig))
	require.NoError(t, err)
	out := map[string]string{}
	for _, a := range kc.AuthInfos {
		out["kubeconfig token"] = a.Token
	}
	if pw := raw.Values["squidPassword"]; pw != "" {
		out["proxy password"] = pw
		out["Proxy-Authorization credentials"] = base64.StdEncoding.EncodeToString([]byte(raw.Values["squidUsername"] + ":" + pw))
	}
	return out
}

// leftovers is what the server holds after destroy that it did not hold before up, once namespaces have
// finished terminating; Events and Leases, which controllers write, are left out.
func leftovers(ctx context.Context, t *testing.T, cluster *simcluster.Cluster, before controlplane.Inventory) []string {
	t.Helper()
	var left []string
	deadline := time.Now().Add(3 * time.Minute)
	for {
		now, err := cluster.Snapshot(ctx)
		require.NoError(t, err)
		left = left[:0]
		terminating := false
		for _, k := range now.Added(before) {
			if strings.HasPrefix(k, "/Event ") || strings.HasPrefix(k, "events.k8s.io/Event ") || strings.HasPrefix(k, "coordination.k8s.io/Lease ") {
				continue
			}
			terminating = terminating || strings.HasPrefix(k, "/Namespace ")
			left = append(left, k)
		}
		if !terminating || time.Now().After(deadline) {
			return left
		}
		time.Sleep(time.Second)
	}
}

func randomHex(t *testing.T) string {
	b := make([]byte, 12)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// report writes each step's wall time and the preview diffs to out/engine/<stack>.txt (CI prints it) and to the
// test log.
type report struct {
	t    *testing.T
	path string
}

func newReport(t *testing.T, stack string) *report {
	root, err := controlplane.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "out", "engine")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	r := &report{t: t, path: filepath.Join(dir, stack+".txt")}
	require.NoError(t, os.WriteFile(r.path, []byte("# stack "+stack+" on the real Pulumi engine ("+time.Now().UTC().Format(time.RFC3339)+")\n"), 0o644))
	return r
}

func (r *report) line(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.t.Log(s)
	f, err := os.OpenFile(r.path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(r.t, err)
	defer f.Close()
	_, err = fmt.Fprintln(f, s)
	require.NoError(r.t, err)
}

func (r *report) step(name string, began time.Time, diff string) {
	r.line("%s: %s", name, time.Since(began).Round(time.Millisecond))
	if diff != "" {
		r.line("--- %s --diff output ---\n%s", name, diff)
	}
}

func (r *report) timeline(name string, tl Timeline, steps []Step) {
	r.line("%s timeline (%d resources): %s", name, len(steps), tl)
	var slow []string
	for _, s := range Slowest(steps, 5) {
		slow = append(slow, fmt.Sprintf("%s %s", shortNames([]string{s.URN})[0], s.Duration().Round(time.Millisecond)))
	}
	r.line("%s slowest: %s", name, strings.Join(slow, ", "))
}
