// Package extauthz runs Istio's sample external authorization server, the decision point the egress gateway
// asks before letting a request out. It allows only requests carrying `x-ext-authz: allow`, tags allowed
// requests with `x-ext-authz-check-result: allowed`, and logs the caller's SPIFFE principal.
package extauthz

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Fixed names: the gateway's policy, the checks and the `verify` output address the server by them.
const (
	DefaultNamespace = "ext-authz"
	Name             = "ext-authz"
	// GRPCPort is the Envoy ext_authz v3 gRPC API the gateway calls.
	GRPCPort = 9000
	// HTTPPort is the sample's plain-HTTP variant (kept for manual checks).
	HTTPPort = 8000
)

// Args configures the server.
type Args struct {
	Target kube.Target
	// Namespace defaults to DefaultNamespace.
	Namespace string
	// DependsOn holds specific resources that must exist first.
	DependsOn []pulumi.Resource
}

// ExtAuthz is the component.
type ExtAuthz struct {
	pulumi.ResourceState

	Namespace      *corev1.Namespace
	ServiceAccount *corev1.ServiceAccount
	Deployment     *appsv1.Deployment
	Service        *corev1.Service

	// NamespaceName, ServiceName and Port are what a policy's backendRef names.
	NamespaceName string
	ServiceName   string
	Port          int
	// Labels select the server's pods (for logs and checks).
	Labels map[string]string
}

// New deploys the server: namespace, ServiceAccount, Deployment and ClusterIP Service.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*ExtAuthz, error) {
	c := &ExtAuthz{}
	if err := ctx.RegisterComponentResource("egress-mesh:extauthz:ExtAuthz", name, c, opts...); err != nil {
		return nil, err
	}
	ns := args.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	labels := map[string]string{"app": Name}
	c.NamespaceName, c.ServiceName, c.Port, c.Labels = ns, Name, GRPCPort, labels

	var err error
	// Not enrolled in the mesh: the gateway reaches it in plain text inside the cluster, and the server
	// learns the caller's identity from the check request, not from the connection.
	if c.Namespace, err = kube.Namespace(ctx, args.Target, c, ns, nil, pulumi.DependsOn(args.DependsOn)); err != nil {
		return nil, err
	}
	inNS := args.Target.Opts(c, pulumi.DependsOn([]pulumi.Resource{c.Namespace}))
	meta := kube.Meta{Name: Name, Namespace: ns, Labels: labels}

	if c.ServiceAccount, err = corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{
		Metadata: meta.Args(),
	}, inNS...); err != nil {
		return nil, err
	}

	if c.Deployment, err = appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: meta.Args(),
		Spec: kube.OneReplica(labels, nil, &corev1.PodSpecArgs{
			ServiceAccountName: c.ServiceAccount.Metadata.Name().Elem(),
			Containers: corev1.ContainerArray{&corev1.ContainerArgs{
				Name:  pulumi.String(Name),
				Image: pulumi.String(versions.ExtAuthzImage),
				Ports: corev1.ContainerPortArray{
					&corev1.ContainerPortArgs{Name: pulumi.String("http"), ContainerPort: pulumi.Int(HTTPPort)},
					&corev1.ContainerPortArgs{Name: pulumi.String("grpc"), ContainerPort: pulumi.Int(GRPCPort)},
				},
			}},
		}),
	}, inNS...); err != nil {
		return nil, err
	}

	if c.Service, err = corev1.NewService(ctx, name, &corev1.ServiceArgs{
		Metadata: meta.Args(),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.ToStringMap(labels),
			Ports: corev1.ServicePortArray{
				&corev1.ServicePortArgs{Name: pulumi.String("http"), Port: pulumi.Int(HTTPPort), TargetPort: pulumi.Int(HTTPPort)},
				// h2c tells the gateway to speak cleartext HTTP/2, which gRPC needs.
				&corev1.ServicePortArgs{Name: pulumi.String("grpc"), Port: pulumi.Int(GRPCPort), TargetPort: pulumi.Int(GRPCPort),
					AppProtocol: pulumi.String("kubernetes.io/h2c")},
			},
		},
	}, inNS...); err != nil {
		return nil, err
	}

	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"namespace": pulumi.String(ns),
		"service":   pulumi.String(Name),
		"port":      pulumi.Int(GRPCPort),
	})
}
