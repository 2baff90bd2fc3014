package agentgateway

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// NetworkPolicyName is the client namespace's egress lockdown.
const NetworkPolicyName = "egress-via-mesh-only"

// networkPolicy leaves the client namespace's pods no way out but the mesh. Nothing open source replaces
// ztunnel's enterprise `egressPolicies`, so a connection to a host without a ServiceEntry would otherwise
// go straight to the internet. Ingress is not restricted (only Egress is in policyTypes).
//
// In ambient mode ztunnel opens the client's connections from inside the pod's network namespace, so what
// the CNI sees leaving the pod is DNS and HBONE (TCP 15008) to the waypoint or to meshed peers.
func (c *AgentGateway) networkPolicy(ctx *pulumi.Context, name string, args *Args) error {
	tcp, udp := pulumi.String("TCP"), pulumi.String("UDP")
	hbone := networkingv1.NetworkPolicyPortArray{&networkingv1.NetworkPolicyPortArgs{Protocol: tcp, Port: pulumi.Int(HBONEPort)}}
	var err error
	c.NetworkPolicy, err = networkingv1.NewNetworkPolicy(ctx, name+"-client-egress", &networkingv1.NetworkPolicyArgs{
		Metadata: kube.Meta{Name: NetworkPolicyName, Namespace: args.ClientNamespace}.Args(),
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{}, // every pod in the namespace
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress: networkingv1.NetworkPolicyEgressRuleArray{
				// 1. DNS: names must resolve (ServiceEntry hosts included) before anything is sent.
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
				// 2. The egress waypoint: ztunnel carries every request to an external host there over HBONE.
				&networkingv1.NetworkPolicyEgressRuleArgs{
					To: networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{
						NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
							"kubernetes.io/metadata.name": pulumi.String(GatewayNamespace)}},
					}},
					Ports: hbone,
				},
				// 3. Meshed peers in the cluster: ztunnel-to-ztunnel HBONE to other pods. Only port 15008, so a
				// pod address cannot be used to bypass the mesh either.
				&networkingv1.NetworkPolicyEgressRuleArgs{
					To: networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{
						IpBlock: &networkingv1.IPBlockArgs{Cidr: pulumi.String(args.PodCIDR)},
					}},
					Ports: hbone,
				},
			},
		},
	}, args.Target.Opts(c, after(args.ClientDependsOn))...)
	return err
}
