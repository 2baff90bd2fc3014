package simcluster

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/egress-mesh/egress-mesh/internal/controlplane/proctest"
	"github.com/egress-mesh/egress-mesh/versions"
)

func skipShort(t *testing.T) {
	t.Helper()
	proctest.SkipShort(t, "the simulated-cluster check (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)")
}

func TestPinsMatchToolsModules(t *testing.T) {
	root := filepath.Join("..", "..")
	assert.Equal(t, versions.Kwok, proctest.RequiredVersion(t, root, "kyverno", "sigs.k8s.io/kwok"))
	// The controller manager and scheduler are built from the kube-apiserver module, so they run its pin.
	assert.Equal(t, versions.Kubernetes, proctest.RequiredVersion(t, root, "kube-apiserver", "k8s.io/kubernetes"))
}

func labels(app string) map[string]string { return map[string]string{"app": app} }

func podTemplate(app string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels(app)},
		// kwok never pulls or runs the image; the name only has to be valid.
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.invalid/app:1"}}},
	}
}

func deployment(name string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels(name)},
			Template: podTemplate(name),
		},
	}
}

// deploymentReady is the condition kubectl rollout status and the Pulumi provider wait for: the controller saw
// the latest generation and every replica is updated and available.
func deploymentReady(ctx context.Context, c *Cluster, name string) (bool, error) {
	d, err := c.Client.AppsV1().Deployments("default").Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false, err
	}
	want := *d.Spec.Replicas
	return d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == want &&
		d.Status.AvailableReplicas == want && d.Status.ReadyReplicas == want, nil
}

func TestWorkloadsBecomeReady(t *testing.T) {
	skipShort(t)
	c := Start(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	_, err := c.Client.AppsV1().Deployments("default").Create(ctx, deployment("web", 2), metav1.CreateOptions{})
	require.NoError(t, err)
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels("agent")}, Template: podTemplate("agent")},
	}
	_, err = c.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{})
	require.NoError(t, err)
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: labels("web"),
			Ports: []corev1.ServicePort{{Port: 80}}},
	}
	created, err := c.Client.CoreV1().Services("default").Create(ctx, svc, metav1.CreateOptions{})
	require.NoError(t, err)

	// The ClusterIP comes from --service-cluster-ip-range=10.96.0.0/16.
	_, serviceRange, _ := net.ParseCIDR("10.96.0.0/16")
	assert.True(t, serviceRange.Contains(net.ParseIP(created.Spec.ClusterIP)), "ClusterIP %q", created.Spec.ClusterIP)

	require.NoError(t, wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		return deploymentReady(ctx, c, "web")
	}), "Deployment web never became ready")
	require.NoError(t, wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		d, err := c.Client.AppsV1().DaemonSets("default").Get(ctx, "agent", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		// One node, so one pod: desired must be 1, not a vacuous 0 == 0.
		return d.Status.DesiredNumberScheduled == 1 && d.Status.NumberReady == 1 && d.Status.NumberAvailable == 1, nil
	}), "DaemonSet agent never became ready")
	// Ready pods make endpoints, which the provider's Service await checks.
	require.NoError(t, wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		eps, err := c.Client.CoreV1().Endpoints("default").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		n := 0
		for _, s := range eps.Subsets {
			n += len(s.Addresses)
		}
		return n == 2, nil
	}), "Service web never got two endpoint addresses")

	pods, err := c.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, p := range pods.Items {
		assert.Equal(t, NodeName, p.Spec.NodeName, p.Name)
		assert.Equal(t, corev1.PodRunning, p.Status.Phase, p.Name)
	}

	// Deleting in the foreground needs the garbage collector: the call returns once the pods are gone.
	fg := metav1.DeletePropagationForeground
	require.NoError(t, c.Client.AppsV1().Deployments("default").Delete(ctx, "web", metav1.DeleteOptions{PropagationPolicy: &fg}))
	require.NoError(t, wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		pods, err := c.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		return err == nil && len(pods.Items) == 0, err
	}), "the Deployment's pods were never deleted")
}

// TestNotReadyTaintKeepsPodsPending is the negative control: with the taint a fresh node carries, the scheduler
// places nothing, so the same readiness check as above does not pass.
func TestNotReadyTaintKeepsPodsPending(t *testing.T) {
	skipShort(t)
	c := Start(t, Options{KeepNotReadyTaint: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Client.AppsV1().Deployments("default").Create(ctx, deployment("web", 1), metav1.CreateOptions{})
	require.NoError(t, err)

	var pending *corev1.Pod
	require.NoError(t, wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		pods, err := c.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil || len(pods.Items) == 0 {
			return false, err
		}
		for _, cond := range pods.Items[0].Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse {
				pending = &pods.Items[0]
				return true, nil
			}
		}
		return false, nil
	}), "the scheduler never reported the pod unschedulable")
	assert.Equal(t, corev1.PodPending, pending.Status.Phase)
	assert.Empty(t, pending.Spec.NodeName)
	// kube-scheduler v1.35 does not name the taint ("1 node(s) had untolerated taint(s)"); the node says which.
	assert.Contains(t, podScheduledMessage(pending), "untolerated taint")
	node, err := c.Client.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
	require.NoError(t, err)
	var taints []string
	for _, taint := range node.Spec.Taints {
		taints = append(taints, taint.Key)
	}
	assert.Equal(t, []string{NotReadyTaint}, taints)

	time.Sleep(5 * time.Second) // long enough for a kwok-managed pod to become ready (it takes well under a second)
	ready, err := deploymentReady(ctx, c, "web")
	require.NoError(t, err)
	assert.False(t, ready, "the Deployment became ready on a tainted node")
}

func podScheduledMessage(p *corev1.Pod) string {
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodScheduled {
			return cond.Message
		}
	}
	return ""
}

// TestCleanupStopsEverything runs the cluster inside a failing test: afterwards no process and no temp dir may
// remain. The same scan finds all five processes while they run, so the check can fail.
func TestCleanupStopsEverything(t *testing.T) {
	skipShort(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fake := &proctest.FakeTB{TB: t}
	var c *Cluster
	fake.Run(func(tb testing.TB) {
		c = Start(tb, Options{})
		tb.Errorf("the test body fails; cleanup must still run")
	}, func() {
		require.NotNil(t, c)
		assert.Len(t, proctest.ProcessesUsing(t, c.Dir()), 5,
			"etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok should be running")
	})
	require.NotNil(t, c)
	proctest.AssertNoLeftovers(t, tmp)
}

// TestMissingBinaryTellsHowToBuild needs no servers, so it also runs with -short.
func TestMissingBinaryTellsHowToBuild(t *testing.T) {
	t.Setenv(EnvKwok, filepath.Join(t.TempDir(), "kwok"))
	_, err := kwokBinary()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make toolchain")
	assert.Contains(t, err.Error(), EnvKwok)
}

// A kwok binary without the stages file beside it is reported before anything starts; kwok itself would exit with
// "no stages found" (v0.8.0 has no built-in stages).
func TestMissingKwokStagesTellHowToBuild(t *testing.T) {
	kwok := filepath.Join(t.TempDir(), "kwok")
	require.NoError(t, os.WriteFile(kwok, []byte("#!/bin/sh\n"), 0o755))
	_, err := kwokStages(kwok)
	require.Error(t, err)
	assert.Contains(t, err.Error(), kwok+".stages.yaml")
	assert.Contains(t, err.Error(), "make toolchain")
	require.NoError(t, os.WriteFile(kwok+".stages.yaml", []byte("---\n"), 0o644))
	path, err := kwokStages(kwok)
	require.NoError(t, err)
	assert.Equal(t, kwok+".stages.yaml", path)
}
