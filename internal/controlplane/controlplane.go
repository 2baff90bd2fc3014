// Package controlplane runs a real etcd and kube-apiserver on loopback for tests, so rendered objects can be
// admitted by the same schema, CEL and built-in validation a cluster would apply, without a cluster.
package controlplane

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Generous because the machines this runs on have 2 shared cores; a healthy start takes about 3 s.
const readyTimeout = 90 * time.Second

// ControlPlane is a running etcd + kube-apiserver pair owned by one test.
type ControlPlane struct {
	dir        string // temp root holding data, certs, credentials and logs; removed on cleanup
	etcd       *process
	apiserver  *process
	components []*process // started beside the apiserver (StartComponent); stopped first, newest first
	creds      credentials
	kubeconfig string // admin kubeconfig file for the processes and tools a test starts
	config     *rest.Config
	dynamic    dynamic.Interface
	mapper     *restmapper.DeferredDiscoveryRESTMapper
	discovery  discovery.DiscoveryInterface
}

// Start launches etcd and kube-apiserver on free 127.0.0.1 ports and waits until the apiserver is ready. Both
// processes are stopped and the temp dir removed in t.Cleanup, whether the test passes, fails or Start fails.
func Start(t testing.TB) *ControlPlane {
	t.Helper()
	began := time.Now()
	apiserverBin, err := binary(EnvKubeAPIServer, "kube-apiserver", KubeAPIServerVersion)
	if err != nil {
		t.Fatal(err)
	}
	etcdBin, err := binary(EnvEtcd, "etcd", EtcdVersion)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "egress-mesh-controlplane-*")
	if err != nil {
		t.Fatal(err)
	}
	c := &ControlPlane{dir: dir}
	// Registered before any process starts so a Fatal below still stops whatever did start.
	t.Cleanup(func() { c.cleanup(t) })

	if err := c.start(etcdBin, apiserverBin); err != nil {
		t.Fatal(err)
	}
	t.Logf("control plane ready in %s (kube-apiserver %s at %s)", time.Since(began).Round(time.Millisecond),
		KubeAPIServerVersion, c.config.Host)
	return c
}

// RESTConfig returns a copy of an admin (system:masters) config for the apiserver.
func (c *ControlPlane) RESTConfig() *rest.Config { return rest.CopyConfig(c.config) }

func (c *ControlPlane) start(etcdBin, apiserverBin string) error {
	creds, err := writeCredentials(c.dir)
	if err != nil {
		return fmt.Errorf("writing credentials: %w", err)
	}
	c.creds = creds
	ports, err := FreePorts(3)
	if err != nil {
		return fmt.Errorf("choosing ports: %w", err)
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	host := "https://127.0.0.1:" + strconv.Itoa(ports[2])

	c.etcd, err = startProcess("etcd", filepath.Join(c.dir, "etcd.log"), etcdBin,
		"--name=default",
		"--data-dir="+filepath.Join(c.dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL,
		"--unsafe-no-fsync", // throw-away data: durability only costs time
		"--log-level=warn",
	)
	if err != nil {
		return err
	}
	if err := waitReady(c.etcd, http.DefaultClient, etcdURL+"/health", ""); err != nil {
		return err
	}

	certDir := filepath.Join(c.dir, "certs")
	c.apiserver, err = startProcess("kube-apiserver", filepath.Join(c.dir, "kube-apiserver.log"), apiserverBin,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(ports[2]),
		"--cert-dir="+certDir, // self-signed serving cert for 127.0.0.1, written before serving starts
		"--token-auth-file="+creds.tokenFile,
		"--authorization-mode=RBAC", "--anonymous-auth=false",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+creds.saKeyFile,
		"--service-account-signing-key-file="+creds.saKeyFile,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--enable-priority-and-fairness=false", // no flow-control bootstrap objects to wait for
	)
	if err != nil {
		return err
	}
	config := &rest.Config{
		Host:        host,
		BearerToken: creds.token,
		// Many objects are applied back to back; client-side throttling would only slow the test down.
		QPS:   200,
		Burst: 400,
	}
	client, err := waitServingCert(c.apiserver, config, filepath.Join(certDir, "apiserver.crt"))
	if err != nil {
		return err
	}
	if err := waitReady(c.apiserver, client, host+"/readyz", creds.token); err != nil {
		return err
	}
	c.config = config
	c.kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := writeKubeconfig(c.kubeconfig, config); err != nil {
		return fmt.Errorf("writing kubeconfig: %w", err)
	}

	c.dynamic, err = dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return err
	}
	c.discovery = disco
	c.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	return nil
}

// cleanup stops the apiserver before etcd (so it does not log a storm of etcd errors) and removes the temp dir.
// A process that survives is a leak, so it fails the test.
func (c *ControlPlane) cleanup(t testing.TB) {
	t.Helper()
	// A failed Start already carries the log tail in its message; repeat it only for a failed test body.
	if t.Failed() && c.config != nil {
		for _, p := range append(c.components, c.apiserver) {
			t.Logf("%s log tail:\n%s", p.name, p.logTail())
		}
	}
	var errs []error
	stopOrder := make([]*process, 0, len(c.components)+2)
	for i := len(c.components) - 1; i >= 0; i-- {
		stopOrder = append(stopOrder, c.components[i])
	}
	for _, p := range append(stopOrder, c.apiserver, c.etcd) {
		if p != nil {
			errs = append(errs, p.stop())
		}
	}
	errs = append(errs, os.RemoveAll(c.dir))
	if err := errors.Join(errs...); err != nil {
		t.Errorf("stopping control plane: %v", err)
	}
}
