package controlplane

import (
	"fmt"
	"net/http"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Dir is the control plane's temp dir; files put there are removed with it.
func (c *ControlPlane) Dir() string { return c.dir }

// Kubeconfig is the path of an admin kubeconfig for this apiserver (token auth, the serving CA trusted), for the
// processes a test starts beside it and for clients such as the Pulumi Kubernetes provider.
func (c *ControlPlane) Kubeconfig() string { return c.kubeconfig }

// ServiceAccountKeyFile is the key the apiserver verifies service-account tokens with; a controller manager that
// signs legacy tokens needs the same key.
func (c *ControlPlane) ServiceAccountKeyFile() string { return c.creds.saKeyFile }

// ServingCAFile holds the apiserver's self-signed serving cert and its CA, the root CA pods are told to trust.
func (c *ControlPlane) ServingCAFile() string { return filepath.Join(c.dir, "certs", "apiserver.crt") }

// Health says how to tell that a component is serving: a /healthz URL, over HTTPS trusting the self-signed cert the
// component writes to CertFile, or over plain HTTP when CertFile is empty.
type Health struct {
	URL      string
	CertFile string
}

// StartComponent runs one more process beside the apiserver (a controller manager, a scheduler, kwok), logging to
// the temp dir, and waits until its health endpoint answers. It is stopped before the apiserver at cleanup, also
// when it never became healthy.
func (c *ControlPlane) StartComponent(name, bin string, health Health, args ...string) error {
	p, err := startProcess(name, filepath.Join(c.dir, name+".log"), bin, args...)
	if err != nil {
		return err
	}
	c.components = append(c.components, p)
	client := http.DefaultClient
	if health.CertFile != "" {
		if client, err = waitServingCert(p, &rest.Config{Host: health.URL}, health.CertFile); err != nil {
			return err
		}
	}
	if err := waitReady(p, client, health.URL, ""); err != nil {
		return fmt.Errorf("%s did not become healthy: %w", name, err)
	}
	return nil
}

func writeKubeconfig(path string, config *rest.Config) error {
	const name = "egress-mesh-controlplane"
	kc := clientcmdapi.NewConfig()
	kc.Clusters[name] = &clientcmdapi.Cluster{Server: config.Host, CertificateAuthorityData: config.CAData}
	kc.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: config.BearerToken}
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	kc.CurrentContext = name
	return clientcmd.WriteToFile(*kc, path)
}
