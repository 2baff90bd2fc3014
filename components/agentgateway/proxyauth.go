package agentgateway

import (
	"encoding/base64"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// Names of the proxy credentials.
const (
	ProxySecretName = "squid-credentials"
	ProxyPolicyName = "squid-proxy-auth"
	// proxySecretKey is the key backend.auth.secretRef reads by default.
	proxySecretKey = "Authorization"
)

// proxyAuth stores the proxy credentials in a Secret and attaches them to the proxy (never to a
// destination, which would leak them to the internet). The value leaves as `Proxy-Authorization: Basic
// base64(user:password)`; agentgateway's default prefix is "Bearer ", hence the explicit one.
func (c *AgentGateway) proxyAuth(ctx *pulumi.Context, name string, args *Args) error {
	if args.ProxyAuth == nil {
		return nil
	}
	// The policy targets the proxy, so it lives in the proxy's namespace (targetRefs have none), and
	// secretRef has no namespace either: the Secret sits beside the policy.
	ns, target := GatewayNamespace, map[string]any{"group": agwGroup, "kind": "AgentgatewayBackend", "name": ProxyBackendName}
	if s := args.Proxy.Service; s != nil {
		ns, target = s.Namespace, map[string]any{"group": "", "kind": "Service", "name": s.Name}
	}
	user := args.ProxyAuth.Username
	token := pulumi.ToSecret(args.ProxyAuth.Password.ToStringOutput().ApplyT(func(pw string) string {
		return base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))
	})).(pulumi.StringOutput)

	ready := c.proxyReady(args.Proxy)
	var err error
	if c.ProxySecret, err = corev1.NewSecret(ctx, name+"-proxy-credentials", &corev1.SecretArgs{
		Metadata:   kube.Meta{Name: ProxySecretName, Namespace: ns}.Args(),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.StringMap{proxySecretKey: token},
	}, args.Target.Opts(c, after(ready, []pulumi.Resource{c.Namespace}))...); err != nil {
		return err
	}
	c.ProxyPolicy, err = c.object(ctx, args.Target, agwAPIVersion, "AgentgatewayPolicy",
		kube.Meta{Name: ProxyPolicyName, Namespace: ns},
		map[string]any{
			"targetRefs": []any{target},
			"backend": map[string]any{"auth": map[string]any{
				"secretRef": map[string]any{"name": ProxySecretName},
				"location":  map[string]any{"header": map[string]any{"name": "Proxy-Authorization", "prefix": "Basic "}},
			}},
		}, []pulumi.Resource{c.CRDs, c.ProxySecret}, ready)
	return err
}
