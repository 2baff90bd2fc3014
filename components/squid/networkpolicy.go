package squid

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// NetworkPolicyName admits only the egress gateway's pods to Squid.
const NetworkPolicyName = "squid-from-egress-gateway-only"

// onlyTheGateway makes Squid's pods refuse every connection except the egress gateway's to the proxy port.
// Without it any pod could use Squid as a way out around the gateway, its ext-authz and its identity rule.
//
// The gateway's namespace is outside the mesh (and so is Squid's), so the gateway's pods connect to Squid
// directly and the CNI sees their own pod addresses and labels. They carry agentgateway.GatewayPodLabels
// (set by agentgateway's deployer), in agentgateway.GatewayNamespace. Kubernetes always lets a node reach its
// own pods whatever the policy ("traffic to and from the node where a Pod is running is always allowed"),
// so the kubelet's readiness probe still passes. Egress stays open: Squid must reach the internet.
func (c *Squid) onlyTheGateway(ctx *pulumi.Context, name, ns string, labels map[string]string,
	opts []pulumi.ResourceOption) error {
	var err error
	c.NetworkPolicy, err = networkingv1.NewNetworkPolicy(ctx, name+"-ingress", &networkingv1.NetworkPolicyArgs{
		Metadata: kube.Meta{Name: NetworkPolicyName, Namespace: ns, Labels: labels}.Args(),
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(labels)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{&networkingv1.NetworkPolicyIngressRuleArgs{
				// One peer with both selectors: pods with the gateway's labels *in* the gateway's namespace.
				From: networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{
					NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
						"kubernetes.io/metadata.name": pulumi.String(agentgateway.GatewayNamespace)}},
					PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(agentgateway.GatewayPodLabels())},
				}},
				Ports: networkingv1.NetworkPolicyPortArray{&networkingv1.NetworkPolicyPortArgs{
					Protocol: pulumi.String("TCP"), Port: pulumi.Int(Port)}},
			}},
		},
	}, opts...)
	return err
}
