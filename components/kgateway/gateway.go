package kgateway

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// API versions and groups of the objects this package declares (checked against ../shared/crds).
const (
	GatewayAPIGroup   = "gateway.networking.k8s.io"
	gatewayAPIVersion = GatewayAPIGroup + "/v1"
	KGatewayGroup     = "gateway.kgateway.dev"
	kgatewayVersion   = KGatewayGroup + "/v1alpha1"

	// GatewayClassName is the class the kgateway controller creates.
	GatewayClassName = "kgateway"
	// ListenerName is the Gateway's only listener; the route attaches to it by sectionName.
	ListenerName = "http"
)

// declareGateway makes the GatewayParameters, the Gateway that uses them, and the Gateway's access log.
func (c *KGateway) declareGateway(ctx *pulumi.Context, args *Args) error {
	var err error
	// kgateway gives the proxy it deploys a LoadBalancer Service unless told otherwise; kind never assigns
	// it an address, so the Gateway would never be Programmed. Clients reach it in-cluster anyway.
	c.Parameters, err = kube.Object(ctx, args.Target, c, kgatewayVersion, "GatewayParameters",
		kube.Meta{Name: args.GatewayName + "-params", Namespace: args.Namespace},
		map[string]any{"spec": map[string]any{
			"kube": map[string]any{"service": map[string]any{"type": "ClusterIP"}},
		}},
		c.objectDeps(args))
	if err != nil {
		return err
	}

	c.Gateway, err = kube.Object(ctx, args.Target, c, gatewayAPIVersion, "Gateway",
		kube.Meta{Name: args.GatewayName, Namespace: args.Namespace},
		map[string]any{"spec": map[string]any{
			"gatewayClassName": GatewayClassName,
			// Per-Gateway parameters (Gateway API `infrastructure`), so the GatewayClass stays the default one.
			"infrastructure": map[string]any{"parametersRef": map[string]any{
				"group": KGatewayGroup, "kind": "GatewayParameters", "name": args.GatewayName + "-params",
			}},
			"listeners": []any{map[string]any{
				"name":     ListenerName,
				"protocol": "HTTP",
				"port":     args.Port,
				// Clients and routes live in other namespaces; a bare `allowedRoutes.from` would be pruned.
				"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}},
			}},
		}},
		// Parameters first: a Gateway reconciled without them would get the default LoadBalancer Service.
		c.objectDeps(args, c.Parameters))
	if err != nil {
		return err
	}

	c.AccessLog, err = kube.Object(ctx, args.Target, c, kgatewayVersion, "HTTPListenerPolicy",
		kube.Meta{Name: args.GatewayName + "-access-log", Namespace: args.Namespace},
		map[string]any{"spec": map[string]any{
			"targetRefs": []any{gatewayRef(args)},
			"accessLog": []any{map[string]any{
				"fileSink": map[string]any{"path": "/dev/stdout", "jsonFormat": AccessLogFormat},
			}},
		}},
		c.objectDeps(args, c.Gateway))
	return err
}

// AccessLogFormat is the JSON access log of the gateway proxy. The verify step parses these keys: a retried
// connection failure shows response_flags "URX,UF" with attempt_count > 1 and the transport failure reason.
var AccessLogFormat = map[string]any{
	"start_time":                        "%START_TIME%",
	"method":                            "%REQ(:METHOD)%",
	"path":                              "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
	"protocol":                          "%PROTOCOL%",
	"authority":                         "%REQ(:AUTHORITY)%",
	"status":                            "%RESPONSE_CODE%",
	"response_flags":                    "%RESPONSE_FLAGS%",
	"response_code_details":             "%RESPONSE_CODE_DETAILS%",
	"attempt_count":                     "%UPSTREAM_REQUEST_ATTEMPT_COUNT%",
	"upstream_host":                     "%UPSTREAM_HOST%",
	"upstream_cluster":                  "%UPSTREAM_CLUSTER%",
	"upstream_transport_failure_reason": "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
	"duration":                          "%DURATION%",
	"bytes_received":                    "%BYTES_RECEIVED%",
	"bytes_sent":                        "%BYTES_SENT%",
	"downstream_remote_address":         "%DOWNSTREAM_REMOTE_ADDRESS%",
	"user_agent":                        "%REQ(USER-AGENT)%",
	"request_id":                        "%REQ(X-REQUEST-ID)%",
}

func gatewayRef(args *Args) map[string]any {
	return map[string]any{"group": GatewayAPIGroup, "kind": "Gateway", "name": args.GatewayName}
}
