package kgateway

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// declareRoute makes the HTTPRoute to the ServiceEntry and the TrafficPolicy (retries, timeout, ext-authz) on it.
//
// The route goes live last: the TrafficPolicy (ext-authz, retries) targets it by name and can exist before it,
// so no request is ever routed without the decision in front of it.
func (c *KGateway) declareRoute(ctx *pulumi.Context, args *Args) error {
	routeName := args.GatewayName + "-route"
	if err := c.declareTrafficPolicy(ctx, args, routeName); err != nil {
		return err
	}
	var err error
	c.Route, err = kube.Object(ctx, args.Target, c, gatewayAPIVersion, "HTTPRoute",
		kube.Meta{Name: routeName, Namespace: args.Namespace},
		map[string]any{"spec": map[string]any{
			"parentRefs": []any{map[string]any{"name": args.GatewayName, "sectionName": ListenerName}},
			"hostnames":  []any{args.Hostname},
			"rules": []any{map[string]any{"backendRefs": []any{map[string]any{
				// kgateway resolves an Istio ServiceEntry as a backend; port must be one of the entry's ports.
				"group": "networking.istio.io", "kind": "ServiceEntry",
				"name": args.ServiceEntryName, "port": args.BackendPort,
			}}}},
		}},
		c.objectDeps(args, c.Gateway, c.TrafficPolicy, c.AccessLog))
	return err
}

// declareTrafficPolicy makes the TrafficPolicy (retries, timeout, ext-authz) for the route named routeName.
func (c *KGateway) declareTrafficPolicy(ctx *pulumi.Context, args *Args, routeName string) error {
	spec := map[string]any{
		// The CRD requires group, kind and name on every targetRef.
		"targetRefs": []any{map[string]any{"group": GatewayAPIGroup, "kind": "HTTPRoute", "name": routeName}},
		// The GatewayExtension sits beside the authz Service (no ReferenceGrant needed there); a TrafficPolicy
		// may name an extension in another namespace.
		"extAuth": map[string]any{"extensionRef": map[string]any{
			"name": args.Authz.Name, "namespace": args.Authz.Namespace,
		}},
	}
	if retry := retrySpec(args.Retry); retry != nil {
		spec["retry"] = retry
	}
	if args.Retry.RequestTimeout != "" {
		spec["timeouts"] = map[string]any{"request": args.Retry.RequestTimeout}
	}
	// After the GatewayExtension: a policy naming a missing extension is rejected by kgateway's translation.
	var err error
	c.TrafficPolicy, err = kube.Object(ctx, args.Target, c, kgatewayVersion, "TrafficPolicy",
		kube.Meta{Name: args.GatewayName + "-traffic-policy", Namespace: args.Namespace},
		map[string]any{"spec": spec},
		c.objectDeps(args, c.Gateway, c.Extension))
	return err
}

// retrySpec is the TrafficPolicy retry block, or nil when no retry is wanted.
//
// retryOn: the gateway's namespace is in the ambient mesh, so Envoy's upstream connection goes to ztunnel, which
// accepts it first and dials the destination afterwards (istio/ztunnel src/proxy/outbound.rs). With the host down
// Envoy therefore sees the connection closed after sending the request (upstream_reset_before_response_started
// {connection_termination}, flag UC; istio/ztunnel#1662, istio/istio#53696), which only `reset` retries
// (envoy source/common/router/retry_state_impl.cc). `connect-failure` still covers a gateway outside the mesh or a
// refused connection (UF), `retriable-status-codes` the 503/504 responses. kgateway passes retryOn through
// (pkg/pluginsdk/policy/retry.go); all three are in the CRD enum.
func retrySpec(r RetryPolicy) map[string]any {
	if r.Attempts == 0 {
		return nil
	}
	retryOn := []any{"connect-failure", "reset"}
	retry := map[string]any{"attempts": r.Attempts}
	if len(r.StatusCodes) > 0 {
		codes := make([]any, 0, len(r.StatusCodes))
		for _, code := range r.StatusCodes {
			codes = append(codes, code)
		}
		retry["statusCodes"] = codes
		retryOn = append(retryOn, "retriable-status-codes")
	}
	retry["retryOn"] = retryOn
	if r.PerTryTimeout != "" {
		retry["perTryTimeout"] = r.PerTryTimeout
	}
	return retry
}
