// Package squid provides the forward proxy the egress gateway tunnels every destination through: Squid in
// the cluster, Squid as a Docker container on the kind network, or an existing proxy given by address.
// Whatever the mode, it hands the gateway an agentgateway.TunnelProxy.
package squid

import (
	"fmt"
	"net"
	"strconv"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Modes of Args.Mode.
const (
	ModeCluster  = "cluster"
	ModeDocker   = "docker"
	ModeExisting = "existing"
)

// Fixed names and port: the checks and the gateway's tunnel address Squid by them.
const (
	DefaultNamespace = "proxy"
	Name             = "squid"
	Port             = 3128
)

// Credentials make Squid require Basic proxy authentication. Password must be a Pulumi secret.
type Credentials struct {
	Username string
	Password pulumi.StringInput
}

// Args configures the proxy. Mode changes the shape of the graph, so it and everything it selects are plain.
type Args struct {
	Mode string

	// PodCIDR is the cluster's pod range: the clients Squid admits in cluster mode.
	PodCIDR string
	// Destinations are the only places Squid forwards to (cluster and docker modes), each only in the way
	// the gateway uses it: absolute-form HTTP for a plain one, CONNECT for a TLS one.
	Destinations []agentgateway.Destination
	// Credentials, if set, turn on Basic authentication (cluster and docker modes).
	Credentials *Credentials

	// Cluster mode.
	Target    kube.Target
	Namespace string // default DefaultNamespace

	// Docker mode: the network the kind nodes are on, and the container's name.
	Network       string
	ContainerName string

	// Existing mode: host:port of the proxy; AddressSecret keeps it a Pulumi secret wherever it goes.
	Address       string
	AddressSecret bool

	// DependsOn holds specific resources that must exist first (in docker mode, what creates Network).
	DependsOn []pulumi.Resource
}

// Logs says where Squid's access log is read, for the `verify` output and the squid-log check.
type Logs struct {
	Kind      string // pod | docker | none
	Namespace string // pod
	Selector  string // pod
	Container string // pod: container name; docker: container name
}

// Squid is the component.
type Squid struct {
	pulumi.ResourceState

	// Proxy is what the agentgateway component tunnels through.
	Proxy agentgateway.TunnelProxy
	Logs  Logs

	// Cluster mode.
	Namespace     *corev1.Namespace
	Deployment    *appsv1.Deployment
	Service       *corev1.Service
	NetworkPolicy *networkingv1.NetworkPolicy
	// Docker mode.
	Container *docker.Container
}

// New provides the proxy for args.Mode.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Squid, error) {
	c := &Squid{}
	if err := ctx.RegisterComponentResource("egress-mesh:squid:Squid", name, c, opts...); err != nil {
		return nil, err
	}
	var err error
	switch args.Mode {
	case ModeCluster:
		err = c.inCluster(ctx, name, args)
	case ModeDocker:
		err = c.inDocker(ctx, name, args)
	case ModeExisting:
		err = c.existing(args)
	default:
		err = fmt.Errorf("squid mode %q: want %q, %q or %q", args.Mode, ModeCluster, ModeDocker, ModeExisting)
	}
	if err != nil {
		return nil, err
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"mode":     pulumi.String(args.Mode),
		"logsKind": pulumi.String(c.Logs.Kind),
	})
}

// existing runs nothing: the gateway reaches the given proxy directly.
func (c *Squid) existing(args *Args) error {
	host, portText, err := net.SplitHostPort(args.Address)
	if err != nil {
		return fmt.Errorf("squid address: %w", err) // no value: it may be a secret
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("squid address: bad port")
	}
	var hostInput pulumi.StringInput = pulumi.String(host)
	if args.AddressSecret {
		hostInput = pulumi.ToSecret(hostInput).(pulumi.StringOutput)
	}
	c.Proxy = agentgateway.TunnelProxy{Host: hostInput, Port: port}
	c.Logs = Logs{Kind: "none"}
	return nil
}

// htpasswd is the secret content of the htpasswd file: the credentials hashed with the salt this project,
// stack and user derive (htpasswdSalt). It declares no resource: the line is a pure function of its inputs.
func htpasswd(ctx *pulumi.Context, creds *Credentials) pulumi.StringOutput {
	project, stack, user := ctx.Project(), ctx.Stack(), creds.Username
	line := pulumi.All(creds.Password).ApplyT(func(v []any) string {
		return htpasswdLine(user, v[0].(string), htpasswdSalt(project, stack, user))
	}).(pulumi.StringOutput)
	return pulumi.ToSecret(line).(pulumi.StringOutput)
}
