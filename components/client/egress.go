package client

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// EgressPolicyName is the client namespace's egress lockdown.
const EgressPolicyName = "egress-via-mesh-only"

// hbonePort is ztunnel's HBONE port: every meshed connection leaves a pod as HBONE to this port.
const hbonePort = 15008

// newEgressPolicy leaves the client namespace's pods no way out but DNS and the mesh. Ambient enrolment alone
// does not stop a direct call: ztunnel sends traffic for an address it has no waypoint for straight to it
// (istio.io's ambient egress guide: enrolment "does not prevent direct paths"). ztunnel opens a meshed pod's
// connections from inside the pod's network namespace, so what the CNI sees leaving the pod is DNS and HBONE to
// other pods (the gateway included); a direct call to the external host is neither, and is dropped.
func newEgressPolicy(ctx *pulumi.Context, name string, args *Args, parent pulumi.Resource, deps ...pulumi.Resource) (*networkingv1.NetworkPolicy, error) {
	tcp, udp := pulumi.String("TCP"), pulumi.String("UDP")
	return networkingv1.NewNetworkPolicy(ctx, name+"-egress", &networkingv1.NetworkPolicyArgs{
		Metadata: kube.Meta{Name: EgressPolicyName, Namespace: args.Namespace}.Args(),
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{}, // every pod in the namespace
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress: networkingv1.NetworkPolicyEgressRuleArray{
				// DNS: names must resolve before anything is sent.
				&networkingv1.NetworkPolicyEgressRuleArgs{
					To: networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{
						NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
							"kubernetes.io/metadata.name": pulumi.String("kube-system")}},
						PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
							"k8s-app": pulumi.String("kube-dns")}},
					}},
					Ports: networkingv1.NetworkPolicyPortArray{
						&networkingv1.NetworkPolicyPortArgs{Protocol: udp, Port: pulumi.Int(53)},
						&networkingv1.NetworkPolicyPortArgs{Protocol: tcp, Port: pulumi.Int(53)},
					},
				},
				// The mesh: HBONE to pods only, so no pod address can be used to go around it either.
				&networkingv1.NetworkPolicyEgressRuleArgs{
					To: networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{
						IpBlock: &networkingv1.IPBlockArgs{Cidr: pulumi.String(args.PodCIDR)},
					}},
					Ports: networkingv1.NetworkPolicyPortArray{
						&networkingv1.NetworkPolicyPortArgs{Protocol: tcp, Port: pulumi.Int(hbonePort)},
					},
				},
			},
		},
	}, args.Target.Opts(parent, pulumi.DependsOn(deps))...)
}
