package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/authz"
	"github.com/egress-mesh/egress-mesh/components/kgateway"
	"github.com/egress-mesh/egress-mesh/components/ollama"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Names the Ollama path's checks and objects share (the seed's names where it has one).
const (
	ollamaGatewayName      = "egress-kgateway"
	ollamaServiceEntryName = "ollama-external-host"
	ollamaContainerName    = "ollama-server"
	ollamaClientName       = "curl-client"
	authzHeader            = "x-force-authorized"
	authzNamespace         = "kyverno-authz"
)

// What verify expects of the authz decision point: the Kyverno policy's deny carries this header and body, and
// the GatewayExtension answers authzErrorStatus (statusOnError) when the server cannot be reached.
const (
	authzDenyHeader  = authz.DenyHeader
	authzDenyValue   = authz.DenyValue
	authzDenyBody    = authz.DenyBody
	authzErrorStatus = kgateway.StatusOnAuthzError
)

// buildOllama is seed 000: kgateway as the egress gateway in front of Ollama in Docker, with the Kyverno Envoy
// authz server deciding at L7, Kyverno guarding ServiceEntries, and ztunnel admitting only the client at L4.
//
//	cluster -> Gateway API CRDs -> Istio base -> {istiod -> cni -> ztunnel, kgateway, Kyverno}
//	Kyverno -> ValidatingPolicy -> ServiceEntry
//	authz policy -> authz server -> GatewayExtension -> TrafficPolicy -> HTTPRoute (live last)
func buildOllama(ctx *pulumi.Context, p *platform) (*pathResult, error) {
	cfg, o, t := p.cfg, p.cfg.Ollama, p.cluster.Target

	admission, err := authz.NewAdmission(ctx, "kyverno", &authz.AdmissionArgs{
		Target:    t,
		DependsOn: []pulumi.Resource{p.istio.Base}, // the ServiceEntry CRD must exist when the policy is made
	})
	if err != nil {
		return nil, err
	}
	authzServer, err := authz.NewKyvernoAuthz(ctx, "kyverno-authz", &authz.KyvernoAuthzArgs{
		Target:    t,
		Namespace: authzNamespace,
		Header:    authzHeader,
		Allowed:   []string{"enabled", "true"},
	})
	if err != nil {
		return nil, err
	}
	gw, err := kgateway.New(ctx, "kgateway", &kgateway.Args{
		Target:           t,
		DependsOn:        []pulumi.Resource{p.gatewayAPI.CRDs, p.istio.Base},
		Namespace:        o.GatewayNamespace,
		GatewayName:      ollamaGatewayName,
		Port:             o.GatewayPort,
		Hostname:         o.Hostname,
		ServiceEntryName: ollamaServiceEntryName,
		BackendPort:      o.Port,
		Retry: kgateway.RetryPolicy{
			Attempts:       o.RetryAttempts,
			PerTryTimeout:  o.RetryPerTryTimeout,
			RequestTimeout: o.RequestTimeout,
			StatusCodes:    []int{503, 504},
		},
		Authz: kgateway.AuthzRef{
			Name:      authzServer.ServiceName,
			Namespace: authzServer.Namespace,
			Port:      authzServer.Port,
			// The server's Deployment is ready only with its policy loaded (the policy is a mounted file), so
			// the extension never points Envoy at a server that would answer with its default allow.
			DependsOn: []pulumi.Resource{authzServer.Server, authzServer.Service},
		},
	})
	if err != nil {
		return nil, err
	}
	existing := ""
	if o.Mode == OllamaExisting {
		existing = o.Address
	}
	backend, err := ollama.New(ctx, "ollama", &ollama.Args{
		Existing:      existing,
		Image:         versions.OllamaImage,
		ContainerName: ollamaContainerName,
		Network:       cfg.Cluster.DockerNetwork,
		Port:          o.Port,
		Model:         o.Model,
		DependsOn:     p.kindDependency(),
		Target:        t,
		Namespace:     o.GatewayNamespace,
		Hostname:      o.Hostname,
		ServiceEntryDependsOn: []pulumi.Resource{
			p.istio.Base, admission.Policy, gw.Namespace,
		},
	})
	if err != nil {
		return nil, err
	}
	if backend.ServiceEntryName != ollamaServiceEntryName {
		return nil, fmt.Errorf("ollama ServiceEntry is %q but the route points at %q", backend.ServiceEntryName, ollamaServiceEntryName)
	}
	curl, err := p.newClient(ctx, ollamaClientName)
	if err != nil {
		return nil, err
	}
	// The zero-trust point of the seed: L4 identity at ztunnel, L7 decision at the gateway.
	if _, err := authz.NewL4Policy(ctx, "gateway-l4", &authz.L4PolicyArgs{
		Target:     t,
		Namespace:  o.GatewayNamespace,
		Name:       ollamaGatewayName + "-clients",
		Selector:   gw.PodSelector,
		Principals: []string{curl.Principal},
		DependsOn:  []pulumi.Resource{p.istio.Base, gw.Namespace},
	}); err != nil {
		return nil, err
	}

	return ollamaResult(p, gw, backend), nil
}

// ollamaResult is the outputs: where the gateway is, and the seed's three checks as commands anyone can run.
func ollamaResult(p *platform, gw *kgateway.KGateway, backend *ollama.Ollama) *pathResult {
	cfg, o := p.cfg, p.cfg.Ollama
	gatewayURL := fmt.Sprintf("http://%s/", gw.Address)
	exec := fmt.Sprintf("%s exec deploy/%s -n %s -c client -- ", p.kubectl(), ollamaClientName, cfg.Client.Namespace)
	curl := fmt.Sprintf(`curl -sv %s -H "Host: %s"`, gatewayURL, o.Hostname)
	selector := "gateway.networking.k8s.io/gateway-name=" + ollamaGatewayName
	logs := fmt.Sprintf("%s logs -n %s -l %s --tail=50", p.kubectl(), o.GatewayNamespace, selector)

	return &pathResult{
		GatewayAddress: pulumi.String(gw.Address),
		Checks: pulumi.StringMap{
			"allowed": pulumi.String(exec + curl + ` -H "` + authzHeader + `: true"` +
				"   # expect: HTTP/1.1 200 OK and 'Ollama is running'"),
			"denied": pulumi.String(exec + curl + "   # expect: HTTP/1.1 403 Forbidden"),
			"retries": pulumi.String("docker stop " + ollamaContainerName + "; " + exec + curl + ` -H "` + authzHeader +
				`: true"; docker start ` + ollamaContainerName + "; " + logs +
				" | grep response_flags | tail -n 1   # expect: 5xx, response_flags with URX and UF, attempt_count > 1"),
		},
		Verify: pulumi.Map{
			"path":                 pulumi.String(PathOllama),
			"clientNamespace":      pulumi.String(cfg.Client.Namespace),
			"clientDeployment":     pulumi.String(ollamaClientName),
			"clientContainer":      pulumi.String("client"),
			"clientServiceAccount": pulumi.String(ollamaClientName),
			"gatewayNamespace":     pulumi.String(o.GatewayNamespace),
			"gatewaySelector":      pulumi.String(selector),
			"gatewayURL":           pulumi.String(gatewayURL),
			"hostHeader":           pulumi.String(o.Hostname),
			"authzHeader":          pulumi.String(authzHeader),
			"ollamaContainer":      pulumi.String(ollamaContainerFor(o)),
			"ollamaEndpoint":       backend.Endpoint,
			"retry": pulumi.Map{
				"attempts":       pulumi.Int(o.RetryAttempts),
				"perTryTimeout":  pulumi.String(o.RetryPerTryTimeout),
				"requestTimeout": pulumi.String(o.RequestTimeout),
			},
			"deniedEvidence": pulumi.Map{
				"header": pulumi.String(authzDenyHeader),
				"value":  pulumi.String(authzDenyValue),
				"body":   pulumi.String(authzDenyBody),
			},
			"authzServer": pulumi.Map{
				"namespace":  pulumi.String(authzNamespace),
				"deployment": pulumi.String(authz.AuthzServiceName),
				"selector":   pulumi.String("app.kubernetes.io/name=" + authz.AuthzServiceName),
			},
			"authzErrorStatus": pulumi.Int(authzErrorStatus),
		},
		Extra: pulumi.Map{
			"ollamaEndpoint": backend.Endpoint,
		},
	}
}

// ollamaContainerFor is the container the retries check pauses: none for an Ollama the stack does not run.
func ollamaContainerFor(o OllamaConfig) string {
	if o.Mode == OllamaExisting {
		return ""
	}
	return ollamaContainerName
}
