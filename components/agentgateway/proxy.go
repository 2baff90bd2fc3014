package agentgateway

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// ServiceRef names a Kubernetes Service port, as a policy or tunnel backendRef does.
type ServiceRef struct {
	Name, Namespace string
	Port            int
}

// TunnelProxy is the forward proxy every destination is tunnelled through. Exactly one of Service or Host
// is set. It is what the squid component produces.
type TunnelProxy struct {
	// Service is an in-cluster proxy.
	Service *ServiceRef
	// Host and Port reach a proxy outside the cluster (a Docker container, a corporate proxy). The
	// component declares a static AgentgatewayBackend for them: a tunnel backendRef may name only a
	// Service or a backend, never a bare address.
	Host pulumi.StringInput
	Port int
	// Ready holds the resources that run the proxy: whatever points at it waits for them.
	Ready []pulumi.Resource
}
