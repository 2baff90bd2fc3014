package agentgateway

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

const password = "Pr0xy-Pa55word"

// fixture is the test program's stand-ins for what other components provide.
type fixture struct {
	proxyMode string // "service" or "address"
	auth      bool
	kyverno   bool
	dests     []Destination
}

// Stand-in resource names, so tests can find them.
const (
	gatewayAPIName   = "stand-in-gateway-api-crds"
	istioBaseName    = "stand-in-istio-base"
	clientNSName     = "stand-in-client-ns"
	clusterPolicy    = "stand-in-cluster-policy"
	squidServiceName = "stand-in-squid-service"
	squidContainer   = "stand-in-squid-container"
	extAuthzService  = "stand-in-ext-authz-service"
	proxyAddress     = "172.18.0.100"
)

func (f fixture) run(t *testing.T) (*recorder.Recorder, *AgentGateway) {
	t.Helper()
	var comp *AgentGateway
	rec := testkit.Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
		standIn := func(name string) pulumi.Resource { return testkit.StandIn(t, ctx, name) }
		args := &Args{
			Target:                target,
			ClientNamespace:       "ns1",
			Destinations:          f.dests,
			ExtAuthz:              ServiceRef{Name: "ext-authz", Namespace: "ext-authz", Port: 9000},
			ExtAuthzReady:         []pulumi.Resource{standIn(extAuthzService)},
			RequireApproval:       f.kyverno,
			DependsOn:             []pulumi.Resource{standIn(gatewayAPIName)},
			ClientDependsOn:       []pulumi.Resource{standIn(clientNSName)},
			ServiceEntryDependsOn: []pulumi.Resource{standIn(istioBaseName)},
		}
		if len(args.Destinations) == 0 {
			args.Destinations = []Destination{{Host: "httpbingo.org", Port: 80}}
		}
		if f.kyverno {
			args.ServiceEntryDependsOn = append(args.ServiceEntryDependsOn, standIn(clusterPolicy))
		}
		if f.proxyMode == "address" {
			args.Proxy = TunnelProxy{Host: pulumi.String(proxyAddress).ToStringOutput(), Port: 3128,
				Ready: []pulumi.Resource{standIn(squidContainer)}}
		} else {
			args.Proxy = TunnelProxy{Service: &ServiceRef{Name: "squid", Namespace: "proxy", Port: 3128},
				Ready: []pulumi.Resource{standIn(squidServiceName)}}
		}
		if f.auth {
			args.ProxyAuth = &ProxyAuth{Username: "egress", Password: pulumi.ToSecret(pulumi.String(password)).(pulumi.StringOutput)}
		}
		var err error
		comp, err = New(ctx, "agentgateway", args)
		return err
	})
	return rec, comp
}

// apiVersions of the custom kinds the component declares; a custom object's type token is
// kubernetes:<apiVersion>:<kind>.
var apiVersions = map[string]string{
	"AgentgatewayParameters": "agentgateway.dev/v1alpha1",
	"AgentgatewayBackend":    "agentgateway.dev/v1alpha1",
	"AgentgatewayPolicy":     "agentgateway.dev/v1alpha1",
	"Gateway":                "gateway.networking.k8s.io/v1",
	"HTTPRoute":              "gateway.networking.k8s.io/v1",
	"ReferenceGrant":         "gateway.networking.k8s.io/v1beta1",
	"ServiceEntry":           "networking.istio.io/v1",
}

// customObjects are the recorded custom objects (every kind in apiVersions).
func customObjects(rec *recorder.Recorder) []*recorder.Resource {
	var out []*recorder.Resource
	for kind, v := range apiVersions {
		out = append(out, rec.OfType("kubernetes:"+v+":"+kind)...)
	}
	return out
}

// object finds a custom object by kind, namespace and name.
func object(t *testing.T, rec *recorder.Recorder, kind, ns, name string) *recorder.Resource {
	t.Helper()
	res := rec.Find("kubernetes:"+apiVersions[kind]+":"+kind, kube.ResourceName(kind, kube.Meta{Name: name, Namespace: ns}))
	require.NotNil(t, res, "%s %s/%s", kind, ns, name)
	k, _ := res.Input("kind")
	require.Equal(t, kind, k.StringValue())
	return res
}
