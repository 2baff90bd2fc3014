package controlplane

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// credentials are the files kube-apiserver needs for authentication; all are fresh per control plane so no two
// tests (or stale runs) can talk to each other's server.
type credentials struct {
	token     string // bearer token of a system:masters user
	tokenFile string
	saKeyFile string // ECDSA private key: signs and verifies service-account tokens
}

func writeCredentials(dir string) (credentials, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return credentials{}, err
	}
	c := credentials{
		token:     hex.EncodeToString(raw),
		tokenFile: filepath.Join(dir, "tokens.csv"),
		saKeyFile: filepath.Join(dir, "sa.key"),
	}
	// Format: token,user,uid,"group1,group2"; system:masters bypasses RBAC, so no bindings are needed.
	line := fmt.Sprintf("%s,egress-mesh-admin,egress-mesh-admin,\"system:masters\"\n", c.token)
	if err := os.WriteFile(c.tokenFile, []byte(line), 0o600); err != nil {
		return credentials{}, err
	}
	// P-256 rather than RSA: generated instantly and accepted for both key flags.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return credentials{}, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return credentials{}, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(c.saKeyFile, keyPEM, 0o600); err != nil {
		return credentials{}, err
	}
	return c, nil
}

// FreePorts reserves n distinct loopback ports. They are released before the servers bind, so another process
// could take one in between; Start reports that as a start-up failure with the server's log.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		// Holding every listener until all are chosen keeps the n ports distinct.
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
