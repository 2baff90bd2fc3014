package agentgateway

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Policy names.
const (
	ExtAuthPolicyName  = "egress-extauth"
	IdentityPolicyName = "mesh-identity-only"
)

// gatewayTarget is a policy targetRef to the egress Gateway.
func gatewayTarget() []any {
	return []any{map[string]any{"group": gatewayGroup, "kind": "Gateway", "name": GatewayName}}
}

// policies declares the Gateway's ext-authz and mesh-identity policies.
func (c *AgentGateway) policies(ctx *pulumi.Context, name string, args *Args) error {
	gw := []pulumi.Resource{c.Namespace, c.CRDs, c.Gateway}
	ea := args.ExtAuthz
	grant, err := c.referenceGrant(ctx, args, "AgentgatewayPolicy", ea, args.ExtAuthzReady)
	if err != nil {
		return err
	}
	// Every request through the gateway is checked by ext-authz over gRPC; when the server cannot answer,
	// the request is refused (fail closed, stated rather than left to the default).
	if c.ExtAuthPolicy, err = c.object(ctx, args.Target, agwAPIVersion, "AgentgatewayPolicy",
		kube.Meta{Name: ExtAuthPolicyName, Namespace: GatewayNamespace},
		map[string]any{
			"targetRefs": gatewayTarget(),
			"traffic": map[string]any{"extAuth": map[string]any{
				"backendRef":  map[string]any{"name": ea.Name, "namespace": ea.Namespace, "port": ea.Port},
				"grpc":        map[string]any{},
				"failureMode": "FailClosed",
			}},
		}, gw, args.ExtAuthzReady, grant); err != nil {
		return err
	}

	// L4: only meshed workloads of the client namespace may use the gateway at all, whatever ext-authz says.
	c.IdentityPolicy, err = c.object(ctx, args.Target, agwAPIVersion, "AgentgatewayPolicy",
		kube.Meta{Name: IdentityPolicyName, Namespace: GatewayNamespace},
		map[string]any{
			"targetRefs": gatewayTarget(),
			"frontend": map[string]any{"networkAuthorization": map[string]any{
				"action": "Require",
				"policy": map[string]any{"matchExpressions": []any{
					fmt.Sprintf("source.identity.namespace == %q", args.ClientNamespace),
				}},
			}},
		}, gw)
	return err
}

// referenceGrant lets objects of kind `from` in the gateway namespace point at a Service in another
// namespace; a cross-namespace backendRef needs one (the CRDs say so). None is needed in the same namespace.
func (c *AgentGateway) referenceGrant(ctx *pulumi.Context, args *Args, from string, to ServiceRef,
	ready []pulumi.Resource) ([]pulumi.Resource, error) {
	if to.Namespace == "" || to.Namespace == GatewayNamespace {
		return nil, nil
	}
	grant, err := c.object(ctx, args.Target, "gateway.networking.k8s.io/v1beta1", "ReferenceGrant",
		kube.Meta{Name: "allow-" + GatewayNamespace + "-" + to.Name, Namespace: to.Namespace},
		map[string]any{
			"from": []any{map[string]any{"group": agwGroup, "kind": from, "namespace": GatewayNamespace}},
			"to":   []any{map[string]any{"group": "", "kind": "Service", "name": to.Name}},
		}, ready, args.DependsOn)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{grant}, nil
}
