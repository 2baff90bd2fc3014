package kgateway

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// StatusOnAuthzError is what the gateway answers when the authz server errs or cannot be reached.
const StatusOnAuthzError = 503

// declareExtension makes the GatewayExtension that points Envoy's ext_authz filter at the authz server. It is
// named like the authz Service and lives in its namespace: a backendRef across namespaces would need a
// ReferenceGrant.
func (c *KGateway) declareExtension(ctx *pulumi.Context, args *Args) error {
	var err error
	c.Extension, err = kube.Object(ctx, args.Target, c, kgatewayVersion, "GatewayExtension",
		kube.Meta{Name: args.Authz.Name, Namespace: args.Authz.Namespace},
		// No `type`: deprecated in v2.2 (the CRD infers it from the one of extAuth/extProc/... that is set).
		map[string]any{"spec": map[string]any{
			"extAuth": map[string]any{
				// Fail closed: an unreachable authz server denies instead of letting traffic out.
				"failOpen": false,
				// ...with its own status: the default (403) is the same code as a real denial, so a broken authz
				// server would look like a working one.
				"statusOnError": StatusOnAuthzError,
				// A Service backendRef needs a port (CRD rule).
				"grpcService": map[string]any{"backendRef": map[string]any{
					"name": args.Authz.Name, "port": args.Authz.Port,
				}},
			},
		}},
		c.objectDeps(args, args.Authz.DependsOn...))
	return err
}
