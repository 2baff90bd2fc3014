package engines

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// destination is a plain-HTTP server on <ip>:80 and a TLS server on <ip>:443, both on a random 127/8 address so
// runs in parallel worktrees do not collide. They answer with what they are, so a test can tell a response that
// came through the tunnel from Squid's own error pages.
type destination struct {
	IP    string
	Roots *x509.CertPool
}

const (
	httpBody  = "plain-http-destination"
	httpsBody = "tls-destination"
)

// startDestination needs ports 80 and 443: the program's Squid allows CONNECT only to those (SSL_ports,
// HTTP_ports), so the allowed cases must use them. Binding them needs root or CAP_NET_BIND_SERVICE.
func startDestination(t *testing.T) destination {
	t.Helper()
	ip := fmt.Sprintf("127.%d.%d.%d", 1+rand.IntN(250), rand.IntN(250), 1+rand.IntN(250))
	listen := func(port string) net.Listener {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, port))
		if errors.Is(err, syscall.EACCES) {
			t.Fatalf("binding %s:%s needs root or CAP_NET_BIND_SERVICE (Squid only tunnels to 80 and 443): %v", ip, port, err)
		}
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	plain := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, httpBody) }))
	plain.Listener.Close()
	plain.Listener = listen("80")
	plain.Start()
	t.Cleanup(plain.Close)

	secure := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, httpsBody) }))
	secure.Listener.Close()
	secure.Listener = listen("443")
	secure.StartTLS() // httptest's certificate is for 127.0.0.1 and example.com: verify with ServerName below
	t.Cleanup(secure.Close)
	roots := x509.NewCertPool()
	roots.AddCert(secure.Certificate())
	return destination{IP: ip, Roots: roots}
}

// proxyClient talks to Squid the way agentgateway's tunnel does: absolute-form GET for plain HTTP, CONNECT for TLS.
type proxyClient struct {
	Proxy  string // Squid's address
	Source string // local address to send from: 127.0.0.1 (allowed) or 127.0.0.2 (outside the ACL)
	Auth   string // user:password for Proxy-Authorization, "" for none
}

func (c proxyClient) dial(t *testing.T) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(c.Source)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", c.Proxy)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn
}

func (c proxyClient) authHeader() string {
	if c.Auth == "" {
		return ""
	}
	return "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(c.Auth)) + "\r\n"
}

// Get sends GET url through the proxy and returns the status and body.
func (c proxyClient) Get(t *testing.T, url string) (int, string) {
	t.Helper()
	conn := c.dial(t)
	defer conn.Close()
	host := strings.TrimPrefix(url, "http://")
	host, _, _ = strings.Cut(host, "/")
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n", url, host, c.authHeader())
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s via %s: %v", url, c.Proxy, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Connect sends CONNECT hostport; on 200 it completes a TLS handshake through the tunnel (verifying the
// destination's certificate) and GETs /, returning the CONNECT status and the destination's body.
func (c proxyClient) Connect(t *testing.T, hostport string, roots *x509.CertPool) (int, string) {
	t.Helper()
	conn := c.dial(t)
	defer conn.Close()
	fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", hostport, hostport, c.authHeader())
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatalf("CONNECT %s via %s: %v", hostport, c.Proxy, err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, ""
	}
	tlsConn := tls.Client(conn, &tls.Config{RootCAs: roots, ServerName: "example.com"})
	if err := tlsConn.Handshake(); err != nil {
		t.Fatalf("TLS through the tunnel to %s: %v", hostport, err)
	}
	host, _, _ := net.SplitHostPort(hostport)
	fmt.Fprintf(tlsConn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host)
	inner, err := http.ReadResponse(bufio.NewReader(tlsConn), nil)
	if err != nil {
		t.Fatalf("GET through the tunnel to %s: %v", hostport, err)
	}
	defer inner.Body.Close()
	body, _ := io.ReadAll(inner.Body)
	return resp.StatusCode, string(body)
}
