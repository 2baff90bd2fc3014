package authz

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// The authz server chart 0.1.0 names every resource, its Service included, kyverno-authz-server whatever the
// release is called, and serves gRPC on 9081 (set in three places in the chart; none is changed here).
const (
	AuthzServiceName = "kyverno-authz-server"
	AuthzGRPCPort    = 9081
	// AuthzPolicyName is the cluster-scoped AuthorizationPolicy's name, as in the notes.
	AuthzPolicyName = "demo-policy.example.com"
)

// KyvernoAuthzArgs configures the authz server and its policy.
type KyvernoAuthzArgs struct {
	Target    kube.Target
	Namespace string   // created here ("kyverno-authz")
	Header    string   // "x-force-authorized"
	Allowed   []string // ["enabled", "true"]
	DependsOn []pulumi.Resource
}

// KyvernoAuthz is the component.
type KyvernoAuthz struct {
	pulumi.ResourceState

	Chart       pulumi.Resource
	Policy      *apiextensions.CustomResource
	ServiceName string // "kyverno-authz-server"
	Namespace   string
	Port        int // 9081
}

// NewKyvernoAuthz installs the authz server and the policy it evaluates.
func NewKyvernoAuthz(ctx *pulumi.Context, name string, args *KyvernoAuthzArgs,
	opts ...pulumi.ResourceOption) (*KyvernoAuthz, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("kyverno authz %s: %w", name, err)
	}
	c := &KyvernoAuthz{ServiceName: AuthzServiceName, Namespace: args.Namespace, Port: AuthzGRPCPort}
	if err := ctx.RegisterComponentResource("egress-mesh:authz:KyvernoAuthz", name, c, opts...); err != nil {
		return nil, err
	}

	ns, err := kube.Namespace(ctx, args.Target, c, args.Namespace, nil)
	if err != nil {
		return nil, err
	}
	registry, repository, tag := splitImage(versions.KyvernoAuthzImage)
	// helm/v4 Chart: the chart has no Helm hooks, and its CRD is a template, so v4 creates it like any object.
	chart, err := helmv4.NewChart(ctx, name+"-server", kube.ChartArgs(versions.KyvernoAuthzServerChart, AuthzServiceName,
		pulumi.String(args.Namespace), pulumi.Map{
			// The chart has no top-level `image`; the server's image lives here.
			"containers": pulumi.Map{"server": pulumi.Map{"image": pulumi.Map{
				"registry":   pulumi.String(registry),
				"repository": pulumi.String(repository),
				"tag":        pulumi.String(tag),
			}}},
		}), args.Target.Opts(c, pulumi.DependsOn(append([]pulumi.Resource{ns}, args.DependsOn...)))...)
	if err != nil {
		return nil, err
	}
	c.Chart = chart

	// Cluster-scoped (no namespace): the server loads every AuthorizationPolicy in the cluster. It waits for
	// the chart, which ships the CRD.
	c.Policy, err = kube.Object(ctx, args.Target, c, "envoy.kyverno.io/v1alpha1", "AuthorizationPolicy",
		kube.Meta{Name: AuthzPolicyName},
		map[string]any{"spec": headerPolicySpec(args.Header, args.Allowed)},
		pulumi.DependsOn([]pulumi.Resource{chart}))
	if err != nil {
		return nil, err
	}

	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"service":   pulumi.String(c.ServiceName),
		"namespace": pulumi.String(c.Namespace),
		"port":      pulumi.Int(c.Port),
	})
}

// headerPolicySpec allows a request when a header holds one of the allowed values, and denies it with 403
// otherwise (also when the policy cannot be evaluated: failurePolicy Fail). `authorizations` exists only in
// the v1alpha1 CRD of chart 0.1.0; every authorization must return a CheckResponse.
func headerPolicySpec(header string, allowed []string) map[string]any {
	quoted := make([]string, 0, len(allowed))
	for _, v := range allowed {
		quoted = append(quoted, strconv.Quote(v))
	}
	return map[string]any{
		"failurePolicy": "Fail",
		"variables": []any{
			// Envoy hands ext_authz the header names in lower case; `?` and orValue make a missing header "".
			map[string]any{"name": "force_authorized", "expression": fmt.Sprintf(
				"object.attributes.request.http.?headers[%s].orValue(\"\")", strconv.Quote(strings.ToLower(header)))},
			map[string]any{"name": "allowed", "expression": fmt.Sprintf(
				"variables.force_authorized in [%s]", strings.Join(quoted, ", "))},
		},
		"authorizations": []any{
			map[string]any{"expression": "variables.allowed ? envoy.Allowed().Response() : envoy.Denied(403).Response()"},
		},
	}
}

// splitImage splits registry/repository:tag; the chart takes the three separately.
func splitImage(image string) (registry, repository, tag string) {
	registry, rest, _ := strings.Cut(image, "/")
	repository, tag, _ = strings.Cut(rest, ":")
	return registry, repository, tag
}

func (a *KyvernoAuthzArgs) validate() error {
	var errs []error
	if a.Namespace == "" {
		errs = append(errs, errors.New("Namespace is required"))
	}
	if a.Header == "" {
		errs = append(errs, errors.New("Header is required"))
	}
	if len(a.Allowed) == 0 {
		errs = append(errs, errors.New("Allowed needs at least one value, or every request is denied"))
	}
	for _, v := range a.Allowed {
		if v == "" {
			// "" is what a missing header evaluates to: allowing it would allow everyone.
			errs = append(errs, errors.New(`Allowed must not contain "": a missing header would be allowed`))
		}
	}
	return errors.Join(errs...)
}
