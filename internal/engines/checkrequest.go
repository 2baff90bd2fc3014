package engines

import (
	"context"
	"fmt"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// HTTPRequest is the part of an Envoy ext_authz v3 CheckRequest that describes the request being authorised,
// shaped as Envoy fills it (envoy source/extensions/filters/common/ext_authz/check_request_utils.cc): lower-case
// header names, several values of one header joined with "," into one map entry, :authority as host.
type HTTPRequest struct {
	Method, Host, Path, Scheme string
	Headers                    map[string]string
	Source                     string // the caller's SPIFFE principal ("" for none)
	Destination                string // the proxy's own principal
}

// CheckRequest builds the v3 message.
func (r HTTPRequest) CheckRequest() *authv3.CheckRequest {
	headers := map[string]string{":authority": r.Host, ":method": r.Method, ":path": r.Path, ":scheme": r.Scheme}
	for k, v := range r.Headers {
		headers[k] = v
	}
	attrs := &authv3.AttributeContext{
		Request: &authv3.AttributeContext_Request{Http: &authv3.AttributeContext_HttpRequest{
			Id: "1", Method: r.Method, Host: r.Host, Path: r.Path, Scheme: r.Scheme, Protocol: "HTTP/1.1", Headers: headers,
		}},
		Source: &authv3.AttributeContext_Peer{
			Address:   socket("10.244.0.7", 43210),
			Principal: r.Source,
		},
		Destination: &authv3.AttributeContext_Peer{
			Address:   socket("10.244.0.9", 8080),
			Principal: r.Destination,
		},
	}
	return &authv3.CheckRequest{Attributes: attrs}
}

func socket(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

// Check sends one CheckRequest over plain gRPC, as the gateway does to a server in the mesh (ztunnel adds mTLS).
func Check(addr string, req *authv3.CheckRequest) (*authv3.CheckResponse, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := authv3.NewAuthorizationClient(conn).Check(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("Check on %s: %w", addr, err)
	}
	return resp, nil
}

// Decision is what Envoy makes of a CheckResponse: allowed when the status is OK (code 0), otherwise denied
// with the denied response's HTTP status, 403 when it sets none (envoy ext_authz grpc_client_impl.cc).
type Decision struct {
	Allowed bool
	Status  int               // HTTP status Envoy answers a denied request with
	Headers map[string]string // headers the server asks Envoy to add (ok or denied)
	Body    string
}

// Decide reads a CheckResponse as Envoy does.
func Decide(resp *authv3.CheckResponse) Decision {
	d := Decision{Headers: map[string]string{}}
	if resp.GetStatus().GetCode() == 0 {
		d.Allowed, d.Status = true, 200
		for _, h := range resp.GetOkResponse().GetHeaders() {
			d.Headers[h.GetHeader().GetKey()] = h.GetHeader().GetValue()
		}
		return d
	}
	d.Status = 403
	if denied := resp.GetDeniedResponse(); denied != nil {
		if code := int(denied.GetStatus().GetCode()); code != 0 {
			d.Status = code
		}
		d.Body = denied.GetBody()
		for _, h := range denied.GetHeaders() {
			d.Headers[h.GetHeader().GetKey()] = h.GetHeader().GetValue()
		}
	}
	return d
}
