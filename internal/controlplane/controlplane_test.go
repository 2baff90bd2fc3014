package controlplane

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

const namespace = `
apiVersion: v1
kind: Namespace
metadata: {name: egress}
`

const gateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: egress, namespace: egress}
spec:
  gatewayClassName: kgateway
  listeners:
  - {name: http, port: 80, protocol: HTTP}
`

// targetRefs points at an HTTPRoute because a retry policy on a Gateway needs sectionName (a separate CEL rule).
const trafficPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: retries, namespace: egress}
spec:
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: ollama}
  timeouts: {request: 10s}
  retry: {attempts: 3, perTryTimeout: 2s, retryOn: [5xx]}
`

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo, namespace: egress}
spec:
  replicas: 1
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers: [{name: echo, image: hashicorp/http-echo:1.0}]
`

// TestAdmission is the API-server check: valid objects are accepted and each kind of invalid object (CRD schema,
// CRD CEL rule, built-in validation, missing namespace) is rejected, each negative control differing from an
// accepted object in exactly one field.
func TestAdmission(t *testing.T) {
	skipShort(t)
	crds := sharedCRDs(t)
	c := Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	began := time.Now()
	require.NoError(t, c.ApplyCRDs(ctx, crds))
	t.Logf("%d CRDs established and discoverable in %s", len(crds), time.Since(began).Round(time.Millisecond))

	t.Run("valid objects are accepted", func(t *testing.T) {
		objs := []*unstructured.Unstructured{
			obj(t, namespace), obj(t, gateway), obj(t, trafficPolicy), obj(t, deployment),
		}
		require.Empty(t, c.Apply(ctx, objs))
		// Accepted means stored: read one back through an independent client.
		dyn, err := dynamic.NewForConfig(c.RESTConfig())
		require.NoError(t, err)
		gw, err := dyn.Resource(schema.GroupVersionResource{
			Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways",
		}).Namespace("egress").Get(ctx, "egress", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, "kgateway", gw.Object["spec"].(map[string]any)["gatewayClassName"])
		assert.Equal(t, FieldManager, gw.GetManagedFields()[0].Manager)
	})

	// Under server-side apply a list-map element without its key ("name") fails while building the typed patch,
	// before schema validation, and the server answers 500 with this message rather than 422 Required value.
	t.Run("gateway listener without name is rejected", func(t *testing.T) {
		gw := obj(t, gateway)
		gw.SetName("unnamed-listener")
		listeners, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
		delete(listeners[0].(map[string]any), "name")
		require.NoError(t, unstructured.SetNestedSlice(gw.Object, listeners, "spec", "listeners"))
		errs := c.Apply(ctx, []*unstructured.Unstructured{gw})
		require.Len(t, errs, 1, "the invalid object must be rejected")
		assert.ErrorContains(t, errs[0], "Gateway egress/unnamed-listener: ")
		assert.ErrorContains(t, errs[0], `.spec.listeners: element 0: associative list with keys has an element `+
			`that omits all key fields ["name"]`)
		assert.True(t, apierrors.IsInternalError(errors.Unwrap(errs[0])), "%v", errs[0])
	})

	t.Run("traffic policy with perTryTimeout >= request timeout is rejected by CEL", func(t *testing.T) {
		tp := obj(t, trafficPolicy)
		tp.SetName("slow-retries")
		require.NoError(t, unstructured.SetNestedField(tp.Object, "10s", "spec", "retry", "perTryTimeout"))
		requireRejected(t, c.Apply(ctx, []*unstructured.Unstructured{tp}), "TrafficPolicy egress/slow-retries",
			"retry.perTryTimeout must be less than timeouts.request")
	})

	t.Run("deployment with negative replicas is rejected by built-in validation", func(t *testing.T) {
		d := obj(t, deployment)
		d.SetName("negative")
		require.NoError(t, unstructured.SetNestedField(d.Object, int64(-1), "spec", "replicas"))
		requireRejected(t, c.Apply(ctx, []*unstructured.Unstructured{d}), "Deployment egress/negative",
			"spec.replicas: Invalid value: -1")
	})

	t.Run("deployment with an invalid label is rejected by built-in validation", func(t *testing.T) {
		d := obj(t, deployment)
		d.SetName("bad-label")
		d.SetLabels(map[string]string{"app": "not a valid label value"})
		requireRejected(t, c.Apply(ctx, []*unstructured.Unstructured{d}), "Deployment egress/bad-label",
			"metadata.labels: Invalid value")
	})

	t.Run("object in a missing namespace is rejected, so order matters", func(t *testing.T) {
		gw := obj(t, gateway)
		gw.SetNamespace("not-created")
		errs := c.Apply(ctx, []*unstructured.Unstructured{gw})
		require.Len(t, errs, 1)
		assert.True(t, apierrors.IsNotFound(errors.Unwrap(errs[0])), "%v", errs[0])
		assert.ErrorContains(t, errs[0], `namespaces "not-created" not found`)
	})

	t.Run("kind without a CRD is reported by name, and the rest still applied", func(t *testing.T) {
		unknown := obj(t, `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, namespace: egress}}`)
		cm := obj(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: after-unknown, namespace: egress}}`)
		errs := c.Apply(ctx, []*unstructured.Unstructured{unknown, cm})
		require.Len(t, errs, 1)
		assert.ErrorContains(t, errs[0], "Widget egress/w: kind example.com/v1, Kind=Widget is not served")
		dyn, err := dynamic.NewForConfig(c.RESTConfig())
		require.NoError(t, err)
		_, err = dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).
			Namespace("egress").Get(ctx, "after-unknown", metav1.GetOptions{})
		require.NoError(t, err)
	})
}

// requireRejected asserts exactly one error, for the named object, carrying the server's Invalid status and text.
func requireRejected(t *testing.T, errs []error, object, message string) {
	t.Helper()
	require.Len(t, errs, 1, "the invalid object must be rejected")
	var applyErr *ApplyError
	require.ErrorAs(t, errs[0], &applyErr)
	assert.True(t, apierrors.IsInvalid(applyErr.Err), "want a 422 Invalid from the server, got %v", applyErr.Err)
	assert.ErrorContains(t, errs[0], object+": ")
	assert.ErrorContains(t, errs[0], message)
}

// sharedCRDs loads the Gateway API CRDs and kgateway's TrafficPolicy from the shared material or the cache.
func sharedCRDs(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	gatewayAPI, err := CRDDir("gateway-api", "v1.4.0")
	require.NoError(t, err)
	kgateway, err := CRDDir("kgateway", "v2.2.3")
	require.NoError(t, err)
	paths, err := filepath.Glob(filepath.Join(gatewayAPI, "*.yaml"))
	require.NoError(t, err)
	require.Len(t, paths, 12)
	paths = append(paths, filepath.Join(kgateway, "gateway.kgateway.dev_trafficpolicies.yaml"))
	crds, err := LoadYAML(paths...)
	require.NoError(t, err)
	for _, crd := range crds {
		require.Equal(t, "CustomResourceDefinition", crd.GetKind())
	}
	return crds
}

func TestSharedDirFromEnv(t *testing.T) {
	t.Setenv(EnvShared, "/elsewhere/shared")
	dir, err := SharedDir()
	require.NoError(t, err)
	assert.Equal(t, "/elsewhere/shared", dir)
}

// The lookup beside the repository root, on a layout of its own: the real checkout may have no sibling shared/
// (a clone that sets EGRESS_MESH_SHARED instead), and this test must not depend on it.
func TestSharedDirBesideRepoRoot(t *testing.T) {
	t.Setenv(EnvShared, "")
	base := t.TempDir()
	root := filepath.Join(base, "egress-mesh")
	pkg := filepath.Join(root, "internal", "controlplane")
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+rootModule+"\n\ngo 1.25\n"), 0o644))
	// A tools/ module on the way up has its own go.mod and is not the root.
	tools := filepath.Join(root, "tools", "x")
	require.NoError(t, os.MkdirAll(tools, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tools, "go.mod"), []byte("module example.com/tools/x\n"), 0o644))

	t.Chdir(pkg)
	_, err := SharedDir()
	require.ErrorContains(t, err, "not found beside the repository root; set "+EnvShared, "no sibling yet")

	shared := filepath.Join(base, "shared")
	require.NoError(t, os.Mkdir(shared, 0o755))
	for _, wd := range []string{pkg, tools} {
		t.Chdir(wd)
		dir, err := SharedDir()
		require.NoError(t, err)
		assert.Equal(t, shared, dir, "from %s", wd)
	}
}

// TestApplyAllOrders feeds a custom resource before its CRD and namespace; Apply alone rejects that order (the
// "missing namespace" case above), ApplyAll must sort it out.
func TestApplyAllOrders(t *testing.T) {
	skipShort(t)
	crds := sharedCRDs(t)
	c := Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	objs := append([]*unstructured.Unstructured{obj(t, trafficPolicy), obj(t, gateway)}, crds...)
	objs = append(objs, obj(t, namespace))
	unordered := c.Apply(ctx, objs[:2])
	require.Len(t, unordered, 2, "before CRDs and namespace exist, both objects must fail")

	require.Empty(t, c.ApplyAll(ctx, objs))

	bad := obj(t, trafficPolicy)
	require.NoError(t, unstructured.SetNestedField(bad.Object, "20s", "spec", "retry", "perTryTimeout"))
	errs := c.ApplyAll(ctx, []*unstructured.Unstructured{bad})
	require.Len(t, errs, 1, "ApplyAll must report rejections too")
	assert.ErrorContains(t, errs[0], "retry.perTryTimeout must be less than timeouts.request")
}

func TestSharedDirOutsideRepo(t *testing.T) {
	t.Setenv(EnvShared, "")
	t.Chdir(t.TempDir())
	_, err := SharedDir()
	require.ErrorContains(t, err, "no egress-mesh go.mod above the working directory; set "+EnvShared)
}
