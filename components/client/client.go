// Package client is the test client the checks run curl from: a pod enrolled in Istio ambient under its own
// ServiceAccount, so the egress gateway sees a mesh identity it can admit or refuse.
package client

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Ambient enrolment: on the namespace, and on the pod so it stays enrolled wherever it is moved.
const (
	dataplaneModeLabel = "istio.io/dataplane-mode"
	dataplaneAmbient   = "ambient"
)

// Args configures the client.
type Args struct {
	Target kube.Target
	// Namespace is created here, labelled istio.io/dataplane-mode: ambient.
	Namespace string
	// Name is the Deployment's name and its app label: "curl-client" (Ollama path) or "sleep" (Squid path).
	Name string
	// ServiceAccount is the client's own: the mesh identity the gateway's L4 policy admits.
	ServiceAccount string
	// Image is versions.CurlImage.
	Image string
	// DependsOn holds Istio's ztunnel: enrolment only works once ambient is up.
	DependsOn []pulumi.Resource
	// PodCIDR, when set, locks the namespace's egress down to DNS and HBONE to this range (the mesh), so the
	// client reaches the outside only through the gateway.
	PodCIDR string
}

// Client is the component.
type Client struct {
	pulumi.ResourceState

	Namespace  *corev1.Namespace
	Deployment *appsv1.Deployment
	// EgressPolicy is the mesh-only egress NetworkPolicy (nil without Args.PodCIDR).
	EgressPolicy *networkingv1.NetworkPolicy
	// Principal is the SPIFFE principal Istio policies match: "cluster.local/ns/<ns>/sa/<sa>".
	Principal string
}

// New declares the namespace, ServiceAccount and Deployment.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Client, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("client %s: %w", name, err)
	}
	comp := &Client{Principal: principal(args.Namespace, args.ServiceAccount)}
	if err := ctx.RegisterComponentResource("egress-mesh:client:Client", name, comp, opts...); err != nil {
		return nil, err
	}

	ns, err := kube.Namespace(ctx, args.Target, comp, args.Namespace,
		map[string]string{dataplaneModeLabel: dataplaneAmbient}, pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, err
	}
	comp.Namespace = ns

	sa, err := newServiceAccount(ctx, args, ns, comp)
	if err != nil {
		return nil, err
	}
	var after []pulumi.Resource
	if args.PodCIDR != "" {
		// Before the client runs: it never has a moment with open egress.
		if comp.EgressPolicy, err = newEgressPolicy(ctx, name, args, comp, ns); err != nil {
			return nil, err
		}
		after = append(after, comp.EgressPolicy)
	}
	comp.Deployment, err = newDeployment(ctx, args, sa, comp, after...)
	if err != nil {
		return nil, err
	}

	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"namespace":  ns.Metadata.Name(),
		"deployment": comp.Deployment.Metadata.Name(),
		"principal":  pulumi.String(comp.Principal),
	})
}

// principal is how Istio authorization policies name a workload: trust domain, namespace, ServiceAccount
// (the SPIFFE ID without its "spiffe://" scheme).
func principal(namespace, serviceAccount string) string {
	return fmt.Sprintf("cluster.local/ns/%s/sa/%s", namespace, serviceAccount)
}

func (a *Args) validate() error {
	for field, v := range map[string]string{
		"Namespace": a.Namespace, "Name": a.Name, "ServiceAccount": a.ServiceAccount, "Image": a.Image,
	} {
		if v == "" {
			return fmt.Errorf("field %s is required", field)
		}
	}
	return nil
}
