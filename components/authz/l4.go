package authz

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// L4PolicyArgs configures who may connect to a set of pods.
type L4PolicyArgs struct {
	Target     kube.Target
	Namespace  string
	Name       string
	Selector   map[string]string // the gateway pods
	Principals []string          // e.g. "cluster.local/ns/egress-client/sa/curl-client"
	DependsOn  []pulumi.Resource // Istio base (CRD), the namespace
}

// L4Policy is the component.
type L4Policy struct {
	pulumi.ResourceState
	Policy *apiextensions.CustomResource
}

// NewL4Policy declares an ALLOW AuthorizationPolicy: only the listed mesh identities reach the selected pods.
//
// It uses only L4 attributes (a workload selector and source principals), so ztunnel enforces it at the
// destination without a waypoint. ztunnel cannot see L7 attributes (paths, methods, headers): a policy it
// enforces that names them fails safe into denying, so request-level checks stay in the gateway's ext-authz.
func NewL4Policy(ctx *pulumi.Context, name string, args *L4PolicyArgs, opts ...pulumi.ResourceOption) (*L4Policy, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("l4 policy %s: %w", name, err)
	}
	c := &L4Policy{}
	if err := ctx.RegisterComponentResource("egress-mesh:authz:L4Policy", name, c, opts...); err != nil {
		return nil, err
	}

	principals := make([]any, 0, len(args.Principals))
	for _, p := range args.Principals {
		principals = append(principals, p)
	}
	selector := map[string]any{}
	for k, v := range args.Selector {
		selector[k] = v
	}
	var err error
	c.Policy, err = kube.Object(ctx, args.Target, c, "security.istio.io/v1", "AuthorizationPolicy",
		kube.Meta{Name: args.Name, Namespace: args.Namespace},
		map[string]any{"spec": map[string]any{
			"action":   "ALLOW",
			"selector": map[string]any{"matchLabels": selector},
			"rules":    []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"principals": principals}}}}},
		}},
		pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, err
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"name": pulumi.String(args.Name)})
}

func (a *L4PolicyArgs) validate() error {
	var errs []error
	if a.Namespace == "" || a.Name == "" {
		errs = append(errs, errors.New("Namespace and Name are required"))
	}
	// Without a selector the policy would cover every pod in the namespace.
	if len(a.Selector) == 0 {
		errs = append(errs, errors.New("Selector is required"))
	}
	if len(a.Principals) == 0 {
		errs = append(errs, errors.New("Principals needs at least one identity"))
	}
	for _, p := range a.Principals {
		// Istio principals are the SPIFFE ID without its scheme: <trust domain>/ns/<ns>/sa/<sa>.
		if strings.HasPrefix(p, "spiffe://") || !strings.Contains(p, "/ns/") || !strings.Contains(p, "/sa/") {
			errs = append(errs, fmt.Errorf("principal %q: want <trust domain>/ns/<namespace>/sa/<service account>", p))
		}
	}
	return errors.Join(errs...)
}
