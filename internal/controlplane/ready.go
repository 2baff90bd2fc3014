package controlplane

import (
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"k8s.io/client-go/rest"
)

const pollInterval = 50 * time.Millisecond

// waitReady polls url until it answers 200, failing fast with the server's log if the process exits.
func waitReady(p *process, client *http.Client, url, token string) error {
	deadline := time.Now().Add(readyTimeout)
	last := "no answer yet"
	for {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		if err := p.waitOrExit(deadline); err != nil {
			return fmt.Errorf("%s not ready at %s (last: %s): %w\n%s log tail:\n%s", p.name, url, last, err, p.name,
				p.logTail())
		}
	}
}

// waitServingCert waits for the self-signed cert --cert-dir writes and trusts it, so the tests verify TLS
// instead of skipping verification. The file holds the serving cert followed by the CA that signed it.
func waitServingCert(p *process, config *rest.Config, certFile string) (*http.Client, error) {
	deadline := time.Now().Add(readyTimeout)
	for {
		pem, err := os.ReadFile(certFile)
		if err == nil && x509.NewCertPool().AppendCertsFromPEM(pem) {
			config.TLSClientConfig.CAData = pem
			return rest.HTTPClientFor(config)
		}
		if err := p.waitOrExit(deadline); err != nil {
			return nil, fmt.Errorf("%s wrote no serving cert at %s: %w\n%s log tail:\n%s", p.name, certFile, err,
				p.name, p.logTail())
		}
	}
}

// waitOrExit sleeps one poll interval; it errors when the process has exited or the deadline has passed.
func (p *process) waitOrExit(deadline time.Time) error {
	if time.Now().After(deadline) {
		return fmt.Errorf("timed out after %s", readyTimeout)
	}
	select {
	case <-p.exited:
		return fmt.Errorf("process exited: %v", p.waitErr)
	case <-time.After(pollInterval):
		return nil
	}
}
