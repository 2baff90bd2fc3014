package pulumiengine

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
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
	"sigs.k8s.io/yaml"

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
// The stacks share nothing (each has its own cluster, PULUMI_HOME and state), so they run side by side: most of a
// step is the engine waiting on readiness and Helm, which leaves the CPU to the other stack.
func TestStacksOnTheRealEngine(t *testing.T) {
	for _, c := range programCases(t) {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			runProgram(t, c)
		})
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
	stack := engine.Stack(ctx, t, root, "egress-mesh", c.stack, engineConfig(t, raw))
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
		if strings.HasSuffix(urn, "::pulumi:providers:pulumi::default") {
			delete(planned, urn) // the engine's own provider for pulumi:pulumi:* resources, not the program's
			continue
		}
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
	require.NoError(t, stack.SetConfig(ctx, engineConfig(t, subset(changedRaw, c.change))))
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
	shown, err := stack.ExportShowingSecrets(ctx)
	require.NoError(t, err)
	for what, forms := range secrets {
		held := false
		for _, s := range forms {
			assert.Empty(t, plainAt(ex.Raw, s), "stack export shows the %s in plain text at these paths", what)
			held = held || strings.Contains(shown, s)
		}
		assert.True(t, held, "control: the state holds the %s in one of its forms (encrypted)", what)
	}

	// 5. destroy leaves nothing the program made but what Helm never deletes.
	began = time.Now()
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); watchReleaseObjects(watchCtx, t, cluster) }()
	destroyed, err := stack.Destroy(ctx)
	stopWatch()
	<-watched
	if err != nil {
		report.line("destroy failed; what is left:\n%s", stuck(ctx, cluster))
	}
	require.NoError(t, err)
	report.step("destroy", began, "")
	report.timeline("destroy", Analyse(Steps(destroyed.Events), DeletionOrder(Dependencies(ex))), Steps(destroyed.Events))
	left := leftovers(ctx, t, cluster, before)
	report.line("left after destroy (%d): %v", len(left), left)
	assertOnlyKeptCRDs(ctx, t, cluster, left)
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

// engineConfig is raw as stack config, secrets as secrets. A key Pulumi.yaml declares as an array is set element
// by element (`pulumi config set --path 'key[i]'`): the CLI refuses a JSON string for it.
func engineConfig(t *testing.T, raw stacks.Raw) auto.ConfigMap {
	t.Helper()
	arrays := map[string]bool{}
	for _, k := range stacks.Keys {
		arrays[k.Name] = k.Type == "array"
	}
	cfg := auto.ConfigMap{}
	for k, v := range raw.Values {
		if !arrays[k] {
			cfg[stacks.Namespace+":"+k] = auto.ConfigValue{Value: v, Secret: raw.Secrets[k]}
			continue
		}
		var list []string
		require.NoError(t, json.Unmarshal([]byte(v), &list), "config %s", k)
		for i, e := range list {
			cfg[fmt.Sprintf("%s:%s[%d]", stacks.Namespace, k, i)] = auto.ConfigValue{Value: e, Secret: raw.Secrets[k]}
		}
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

// plainSecrets are the secret values that must never be in the state in plain text, each in the forms it can
// take there: the kubeconfig's token and, with proxy credentials, the password, the Proxy-Authorization value
// built from it, and that value base64-encoded again (a Secret's stringData is stored as data).
func plainSecrets(t *testing.T, raw stacks.Raw, kubeconfig string) map[string][]string {
	t.Helper()
	kc, err := clientcmd.Load([]byte(kubeconfig))
	require.NoError(t, err)
	out := map[string][]string{}
	for _, a := range kc.AuthInfos {
		out["kubeconfig token"] = []string{a.Token, b64(a.Token)}
	}
	if pw := raw.Values["squidPassword"]; pw != "" {
		basic := b64(raw.Values["squidUsername"] + ":" + pw)
		out["proxy password"] = []string{pw, b64(pw), basic, b64(basic)}
	}
	return out
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

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

// plainAt lists the JSON paths of the export where s occurs in plain text.
func plainAt(raw []byte, s string) []string {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return []string{"unparsable export: " + err.Error()}
	}
	var out []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(e, path+"."+k)
			}
		case []any:
			for i, e := range v {
				p := fmt.Sprintf("%s[%d]", path, i)
				if m, ok := e.(map[string]any); ok && m["urn"] != nil {
					p = fmt.Sprintf("%s[%v]", path, m["urn"])
				}
				walk(e, p)
			}
		case string:
			if strings.Contains(v, s) {
				out = append(out, path)
			}
		}
	}
	walk(doc, "")
	return out
}

// stuck describes the pods and jobs still on the server and anything being deleted, for a destroy that failed.
func stuck(ctx context.Context, cluster *simcluster.Cluster) string {
	var b strings.Builder
	pods, err := cluster.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, p := range pods.Items {
			fmt.Fprintf(&b, "pod %s/%s phase=%s deleting=%v finalizers=%v owner=%v\n", p.Namespace, p.Name, p.Status.Phase,
				p.DeletionTimestamp != nil, p.Finalizers, p.OwnerReferences)
		}
	}
	jobs, err := cluster.Client.BatchV1().Jobs("").List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, j := range jobs.Items {
			fmt.Fprintf(&b, "job %s/%s succeeded=%d failed=%d deleting=%v finalizers=%v conditions=%v\n", j.Namespace, j.Name,
				j.Status.Succeeded, j.Status.Failed, j.DeletionTimestamp != nil, j.Finalizers, j.Status.Conditions)
		}
	}
	terminating, err := cluster.Terminating(ctx)
	fmt.Fprintf(&b, "being deleted (%v): %s\n", err, strings.Join(terminating, "\n  "))
	fmt.Fprintf(&b, "objects of Helm releases still there: %s\n", strings.Join(releaseObjectsLeft(ctx, cluster), "\n  "))
	return b.String()
}

// watchReleaseObjects logs, while a destroy runs, the objects of Helm releases still on the server whenever
// that list changes: what an uninstall is waiting for.
func watchReleaseObjects(ctx context.Context, t *testing.T, cluster *simcluster.Cluster) {
	last := ""
	for ctx.Err() == nil {
		now := strings.Join(releaseObjectsLeft(ctx, cluster), "\n  ")
		if terminating, err := cluster.Terminating(ctx); err == nil && len(terminating) > 0 {
			now += "\n  terminating: " + strings.Join(terminating, "\n  ")
		}
		if now != last && ctx.Err() == nil {
			t.Logf("%s release objects still there:\n  %s", time.Now().Format("15:04:05"), now)
			last = now
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// releaseObjectsLeft reads every Helm release record (an uninstall that failed keeps it) and lists the objects of
// its manifest that are still on the server: what `helm uninstall --wait` waits for.
func releaseObjectsLeft(ctx context.Context, cluster *simcluster.Cluster) []string {
	secrets, err := cluster.Client.CoreV1().Secrets("").List(ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, sec := range secrets.Items {
		manifest, err := helmManifest(sec.Data["release"])
		if err != nil {
			out = append(out, fmt.Sprintf("%s/%s: %v", sec.Namespace, sec.Name, err))
			continue
		}
		for _, doc := range strings.Split(manifest, "\n---") {
			var obj struct {
				APIVersion, Kind string
				Metadata         struct{ Name, Namespace string }
			}
			if yaml.Unmarshal([]byte(doc), &obj) != nil || obj.Kind == "" {
				continue
			}
			ns := obj.Metadata.Namespace
			if ns == "" {
				ns = sec.Namespace
			}
			if got, err := cluster.Get(ctx, obj.APIVersion, obj.Kind, ns, obj.Metadata.Name); err == nil {
				out = append(out, fmt.Sprintf("%s %s %s/%s (deleting=%v finalizers=%v)", sec.Name, obj.Kind, ns,
					obj.Metadata.Name, got.GetDeletionTimestamp() != nil, got.GetFinalizers()))
			}
		}
	}
	return out
}

// helmManifest decodes a Helm release record: base64 of gzip of the release JSON, whose manifest field holds
// the rendered objects.
func helmManifest(record []byte) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(string(record))
	if err != nil {
		return "", err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	var rel struct {
		Manifest string `json:"manifest"`
	}
	if err := json.NewDecoder(zr).Decode(&rel); err != nil {
		return "", err
	}
	return rel.Manifest, nil
}

// assertOnlyKeptCRDs: what destroy may leave is a CRD its chart marks `helm.sh/resource-policy: keep` (Istio's
// base chart does, so that deleting Istio never deletes every Istio object in the cluster; the provider honours
// it for helm.sh/v4 Charts too), and the APIService the apiserver registers for each version of a CRD's group.
func assertOnlyKeptCRDs(ctx context.Context, t *testing.T, cluster *simcluster.Cluster, left []string) {
	t.Helper()
	keptGroups := map[string]bool{}
	const crd, apiService = "apiextensions.k8s.io/CustomResourceDefinition /", "apiregistration.k8s.io/APIService /"
	for _, k := range left {
		if !strings.HasPrefix(k, crd) {
			continue
		}
		name := strings.TrimPrefix(k, crd)
		obj, err := cluster.Get(ctx, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name)
		require.NoError(t, err)
		if assert.Equal(t, "keep", obj.GetAnnotations()["helm.sh/resource-policy"], "destroy left CRD %s, which no chart keeps", name) {
			_, group, _ := strings.Cut(name, ".")
			keptGroups[group] = true
		}
	}
	for _, k := range left {
		switch {
		case strings.HasPrefix(k, crd):
		case strings.HasPrefix(k, apiService):
			_, group, _ := strings.Cut(strings.TrimPrefix(k, apiService), ".") // v1beta1.networking.istio.io
			assert.True(t, keptGroups[group], "destroy left %s, for no kept CRD's group", k)
		default:
			assert.Fail(t, "destroy left an object", k)
		}
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
