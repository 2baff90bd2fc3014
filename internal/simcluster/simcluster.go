// Package simcluster runs a simulated Kubernetes cluster on loopback for tests: the control plane of
// internal/controlplane plus kube-controller-manager, kube-scheduler and kwok with one fake node. Pods are
// scheduled and kwok reports them Running and Ready without running containers, so workloads reach the states a
// real cluster's clients wait for (the Pulumi Kubernetes provider's readiness checks pass), while nothing executes.
package simcluster

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// NodeName is the one fake node kwok manages.
const NodeName = "kwok-node-0"

// Controllers are the kube-controller-manager loops a workload needs to become ready and to be deleted: the
// workload controllers create pods; serviceaccount makes each namespace's "default" account, without which the
// ServiceAccount admission plugin rejects pods; the endpoint controllers give Services their endpoints (the
// provider waits for them); namespace and garbagecollector finish deletions; root-ca-cert-publisher writes the
// kube-root-ca.crt ConfigMap projected into pods.
//
// Left out: clusterrole-aggregation. Nothing here uses RBAC (kwok runs no workload; every client is an admin),
// and the controller force-applies aggregated ClusterRoles (server-side apply, since Kubernetes 1.21,
// kubernetes/kubernetes#99462), which re-creates one that `helm uninstall` has just deleted when it reacts to the
// deletion of a role aggregated into it. With Kyverno's chart that made `pulumi destroy` wait 300 s for
// kyverno:admission-controller and kyverno:reports-controller and fail; the README's troubleshooting section says
// what to do when it happens on a real cluster.
var Controllers = []string{
	"deployment", "replicaset", "daemonset", "statefulset", "job", "cronjob", "disruption",
	"serviceaccount", "serviceaccount-token", "root-ca-cert-publisher",
	"endpoint", "endpointslice", "endpointslicemirroring",
	"namespace", "garbagecollector", "ttl-after-finished",
}

// Options change the simulated cluster, for negative controls that show the readiness proof can fail.
type Options struct {
	NoKwok            bool // no kwok: the node never becomes Ready and pods are never Running
	KeepNotReadyTaint bool // leave node.kubernetes.io/not-ready:NoSchedule on the node: pods stay Pending
}

// Cluster is a running simulated cluster owned by one test.
type Cluster struct {
	*controlplane.ControlPlane
	Client kubernetes.Interface
}

// Start runs the simulated cluster; every process is stopped and the temp dir removed in t.Cleanup, whether the
// test passes, fails or Start fails (the control plane owns the processes and their cleanup).
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	began := time.Now()
	kcm, err := controllerManagerBinary()
	if err != nil {
		t.Fatal(err)
	}
	scheduler, err := schedulerBinary()
	if err != nil {
		t.Fatal(err)
	}
	kwok, err := kwokBinary()
	if err != nil && !opts.NoKwok {
		t.Fatal(err)
	}
	var stages string
	if !opts.NoKwok {
		if stages, err = kwokStages(kwok); err != nil {
			t.Fatal(err)
		}
	}
	c := &Cluster{ControlPlane: controlplane.Start(t)}
	c.Client, err = kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.startComponents(kcm, scheduler, kwok, stages, opts); err != nil {
		t.Fatal(err)
	}
	t.Logf("simulated cluster ready in %s (kubeconfig %s)", time.Since(began).Round(time.Millisecond), c.Kubeconfig())
	return c
}

func (c *Cluster) startComponents(kcm, scheduler, kwok, kwokStages string, opts Options) error {
	ports, err := controlplane.FreePorts(3)
	if err != nil {
		return fmt.Errorf("choosing ports: %w", err)
	}
	if err := c.startSecureComponent("kube-controller-manager", kcm, ports[0],
		"--controllers="+strings.Join(Controllers, ","),
		"--service-account-private-key-file="+c.ServiceAccountKeyFile(),
		"--root-ca-file="+c.ServingCAFile(),
		"--use-service-account-credentials=false", // one admin identity; RBAC for controllers is not under test
	); err != nil {
		return err
	}
	if err := c.startSecureComponent("kube-scheduler", scheduler, ports[1]); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if !opts.NoKwok {
		kwokAddr := "127.0.0.1:" + strconv.Itoa(ports[2])
		if err := c.StartComponent("kwok", kwok, controlplane.Health{URL: "http://" + kwokAddr + "/healthz"},
			"--kubeconfig="+c.Kubeconfig(),
			"--config="+kwokStages,
			// Without an explicit address kwok serves on 0.0.0.0:<node-port>; this keeps it on loopback.
			"--server-address="+kwokAddr,
			"--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector="+kwokNodeAnnotation+"=fake",
			"--cidr=10.244.0.0/16", // pod IPs kwok hands out, so Services get endpoints
			"--node-ip=127.0.0.1",
		); err != nil {
			return err
		}
	}
	if err := c.addNode(ctx, opts); err != nil {
		return err
	}
	return c.waitDefaultServiceAccount(ctx)
}

// startSecureComponent starts a Kubernetes component (controller manager, scheduler) with the flags both share:
// the admin kubeconfig, serving on loopback with a self-signed cert in the temp dir (their defaults are 0.0.0.0 and
// /var/run/kubernetes), and no leader election, since there is only one of each.
func (c *Cluster) startSecureComponent(name, bin string, port int, args ...string) error {
	certDir := filepath.Join(c.Dir(), name+"-certs")
	health := controlplane.Health{
		URL:      "https://127.0.0.1:" + strconv.Itoa(port) + "/healthz",
		CertFile: filepath.Join(certDir, name+".crt"),
	}
	return c.StartComponent(name, bin, health, append([]string{
		"--kubeconfig=" + c.Kubeconfig(),
		"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(port), "--cert-dir=" + certDir,
		"--leader-elect=false",
	}, args...)...)
}
