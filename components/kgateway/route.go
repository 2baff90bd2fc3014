package kgateway

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// declareRoute makes the HTTPRoute to the ServiceEntry and the TrafficPolicy (retries, timeout, ext-authz) on it.
func (c *KGateway) declareRoute(ctx *pulumi.Context, args *Args) error {
	routeName := args.GatewayName + "-route"
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
		c.objectDeps(args, c.Gateway))
	if err != nil {
		return err
	}

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
	c.TrafficPolicy, err = kube.Object(ctx, args.Target, c, kgatewayVersion, "TrafficPolicy",
		kube.Meta{Name: args.GatewayName + "-traffic-policy", Namespace: args.Namespace},
		map[string]any{"spec": spec},
		c.objectDeps(args, c.Route, c.Extension))
	return err
}

// retrySpec is the TrafficPolicy retry block, or nil when no retry is wanted.
//
// retryOn: statusCodes alone only makes Envoy retry on responses the upstream sent (retriable-status-codes).
// When the external host is down there is no response: Envoy fails the connection itself (flag UF) and
// only retries it under `connect-failure`. The seed's resiliency check expects exactly that retried
// connection failure, "URX,UF" with an attempt count, so both triggers are listed; both are in the CRD enum.
func retrySpec(r RetryPolicy) map[string]any {
	if r.Attempts == 0 {
		return nil
	}
	retryOn := []any{"connect-failure"}
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
