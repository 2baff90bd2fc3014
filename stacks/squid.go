package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
	"github.com/egress-mesh/egress-mesh/components/authz"
	"github.com/egress-mesh/egress-mesh/components/extauthz"
	"github.com/egress-mesh/egress-mesh/components/squid"
)

// The Squid path's client, as in the seed (Istio's sleep sample).
const squidClientName = "sleep"

// buildSquid is seed 002 with open-source agentgateway: the client's traffic to each approved destination is
// steered by its ServiceEntry to the agentgateway waypoint, checked by ext-authz (which sees the caller's
// SPIFFE identity) and tunnelled through Squid; a NetworkPolicy leaves the client no other way out.
//
//	cluster -> Gateway API CRDs -> Istio base -> istiod -> {agentgateway charts -> Gateway, ztunnel -> client}
//	{Squid, ext-authz} -> policies and backends -> ServiceEntries <- Istio base [, Kyverno ClusterPolicy]
func buildSquid(ctx *pulumi.Context, p *platform) (*pathResult, error) {
	cfg, s, t := p.cfg, p.cfg.Squid, p.cluster.Target

	curl, err := p.newClient(ctx, squidClientName)
	if err != nil {
		return nil, err
	}

	// Istio base carries the ServiceEntry CRD; with Kyverno, its policy must exist before any entry too.
	entryDeps := []pulumi.Resource{p.istio.Base}
	if s.Kyverno {
		admission, err := authz.NewAdmission(ctx, "kyverno", &authz.AdmissionArgs{
			Target:    t,
			DependsOn: []pulumi.Resource{p.istio.Base},
		})
		if err != nil {
			return nil, err
		}
		entryDeps = append(entryDeps, admission.Policy)
	}

	authzServer, err := extauthz.New(ctx, "ext-authz", &extauthz.Args{Target: t})
	if err != nil {
		return nil, err
	}

	var dests []agentgateway.Destination
	for _, d := range s.Destinations {
		dests = append(dests, agentgateway.Destination{Host: d.Host, Port: d.Port, TLS: d.TLS})
	}
	// One secret output feeds both Squid's htpasswd and the gateway's Proxy-Authorization.
	var squidCreds *squid.Credentials
	var proxyAuth *agentgateway.ProxyAuth
	if s.Username != "" {
		password := s.Password.Output()
		proxyAuth = &agentgateway.ProxyAuth{Username: s.Username, Password: password}
		if s.Mode != SquidExisting {
			squidCreds = &squid.Credentials{Username: s.Username, Password: password}
		}
	}
	var proxyDeps []pulumi.Resource
	if s.Mode == SquidDocker {
		proxyDeps = p.kindDependency() // the kind cluster creates the Docker network
	}
	proxy, err := squid.New(ctx, "squid", &squid.Args{
		Mode:          s.Mode,
		PodCIDR:       cfg.Cluster.PodSubnet,
		Destinations:  dests,
		Credentials:   squidCreds,
		Target:        t,
		Network:       cfg.Cluster.DockerNetwork,
		ContainerName: cfg.Cluster.Name + "-squid",
		Address:       s.Address,
		AddressSecret: s.AddressSecret,
		DependsOn:     proxyDeps,
	})
	if err != nil {
		return nil, err
	}

	gw, err := agentgateway.New(ctx, "agentgateway", &agentgateway.Args{
		Target:          t,
		ClientNamespace: cfg.Client.Namespace,
		Destinations:    dests,
		Proxy:           proxy.Proxy,
		ProxyAuth:       proxyAuth,
		ExtAuthz: agentgateway.ServiceRef{
			Name: authzServer.ServiceName, Namespace: authzServer.NamespaceName, Port: authzServer.Port,
		},
		ExtAuthzReady:   []pulumi.Resource{authzServer.Deployment, authzServer.Service},
		RequireApproval: s.Kyverno,
		// The controller watches Gateway API kinds; the waypoint gets its mesh certificates from istiod.
		DependsOn:             []pulumi.Resource{p.gatewayAPI.CRDs, p.istio.Istiod},
		ClientDependsOn:       []pulumi.Resource{curl.Namespace},
		ServiceEntryDependsOn: entryDeps,
	})
	if err != nil {
		return nil, err
	}
	return squidResult(p, gw, authzServer, proxy), nil
}

// squidProxyAddress is Squid's host:port as a pod dials it (a secret address stays secret).
func squidProxyAddress(p agentgateway.TunnelProxy) pulumi.StringInput {
	if p.Service != nil {
		return pulumi.Sprintf("%s.%s.svc.cluster.local:%d", p.Service.Name, p.Service.Namespace, p.Service.Port)
	}
	return pulumi.Sprintf("%s:%d", p.Host, p.Port)
}

// squidResult is the outputs: the `verify` object and the checks as commands anyone can run.
func squidResult(p *platform, gw *agentgateway.AgentGateway, ea *extauthz.ExtAuthz, proxy *squid.Squid) *pathResult {
	cfg := p.cfg
	first := cfg.Squid.Destinations[0]
	destURL := clientURL(first)
	kubectl := p.kubectl()
	exec := fmt.Sprintf("%s exec deploy/%s -n %s -c client -- curl -s ", kubectl, squidClientName, cfg.Client.Namespace)
	extAuthzSelector := "app=" + extauthz.Name

	logs := proxy.Logs
	squidLog := squidLogCommand(kubectl, logs, first.Host)

	var destinations pulumi.StringArray
	for _, d := range cfg.Squid.Destinations {
		destinations = append(destinations, pulumi.String(d.String()))
	}
	checks := pulumi.StringMap{
		"allowed": pulumi.String(exec + destURL + ` -H "x-ext-authz: allow"` +
			`   # expect: 200 and "X-Ext-Authz-Check-Result": ["allowed"] among the echoed headers`),
		"denied": pulumi.String(exec + "-i " + destURL + "   # expect: HTTP/1.1 403 Forbidden (ext-authz denied it)"),
		"gateway-log": pulumi.String(fmt.Sprintf("%s logs -n %s -l %s --tail=50 | grep %s",
			kubectl, agentgateway.GatewayNamespace, agentgateway.GatewaySelector, first.Host) +
			"   # expect: request ... http.host=" + first.Host + " ... http.status=200"),
		"squid-log": pulumi.String(squidLog + "   # expect: the request for " + first.Host + " (TCP_MISS or TCP_TUNNEL)/200"),
		"ext-authz-log": pulumi.String(fmt.Sprintf("%s logs -n %s -l %s --tail=50 | grep %s",
			kubectl, ea.NamespaceName, extAuthzSelector, first.Host) +
			fmt.Sprintf(`   # expect: [gRPCv3][allowed] ... principal:"spiffe://cluster.local/ns/%s/sa/%s"`,
				cfg.Client.Namespace, squidClientName)),
	}
	addTLSCheck(checks, cfg.Squid.Destinations, exec, kubectl, logs)
	return &pathResult{
		GatewayAddress: pulumi.String(gw.Address),
		Checks:         checks,
		Verify: pulumi.Map{
			"path":                 pulumi.String(PathSquid),
			"clientNamespace":      pulumi.String(cfg.Client.Namespace),
			"clientDeployment":     pulumi.String(squidClientName),
			"clientContainer":      pulumi.String("client"),
			"clientServiceAccount": pulumi.String(squidClientName),
			"gatewayNamespace":     pulumi.String(agentgateway.GatewayNamespace),
			"gatewaySelector":      pulumi.String(agentgateway.GatewaySelector),
			// The gateway is a waypoint: clients never address it, ztunnel reaches it over HBONE.
			"gatewayURL":        pulumi.String(fmt.Sprintf("hbone://%s:%d", gw.Address, agentgateway.HBONEPort)),
			"destinationURL":    pulumi.String(destURL),
			"extAuthzNamespace": pulumi.String(ea.NamespaceName),
			"extAuthzSelector":  pulumi.String(extAuthzSelector),
			"squidLogs": pulumi.Map{
				"kind":      pulumi.String(logs.Kind),
				"namespace": pulumi.String(logs.Namespace),
				"selector":  pulumi.String(logs.Selector),
				"container": pulumi.String(logs.Container),
			},
			"squidProxy": squidProxyAddress(proxy.Proxy),
			"authzServer": pulumi.Map{
				"namespace":  pulumi.String(ea.NamespaceName),
				"deployment": pulumi.String(extauthz.Name),
				"selector":   pulumi.String(extAuthzSelector),
			},
			// agentgateway v1.4.1 answers 403 when ext-authz cannot be reached (FailClosed; the CRD has no status
			// for it): see verify.AgentgatewayAuthzFailed.
			"authzErrorStatus": pulumi.Int(403),
			// The TLS destinations: the URL the client calls and the CONNECT target Squid logs.
			"tlsDestinations": verifyTLSDestinations(cfg.Squid.Destinations),
			// Every destination as clients call it and as Squid should log it (plain and TLS).
			"destinations":         verifyDestinations(cfg.Squid.Destinations),
			"squidDirectRefusedBy": pulumi.String(directRefusal(cfg.Squid)),
		},
		Extra: pulumi.Map{
			"squidMode":    pulumi.String(cfg.Squid.Mode),
			"destinations": destinations,
			"proxyAuth":    pulumi.Bool(cfg.Squid.Username != ""),
			"kyverno":      pulumi.Bool(cfg.Squid.Kyverno),
		},
	}
}
