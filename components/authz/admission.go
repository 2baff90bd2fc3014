package authz

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// The approval label every ServiceEntry must carry, with this exact value: the seed's pattern "?*" would
// also admit "false".
const (
	ApprovalLabel = "security.corp/egress-approved"
	ApprovalValue = "true"

	KyvernoNamespace = "kyverno"
	// ClusterPolicyName is the admission policy's name, as in the notes.
	ClusterPolicyName = "enforce-serviceentry-egress-label"
)

// AdmissionArgs configures Kyverno.
type AdmissionArgs struct {
	Target    kube.Target
	DependsOn []pulumi.Resource // Istio base: Kyverno builds its webhook from kinds that exist when the policy is made
}

// Admission is the component.
type Admission struct {
	pulumi.ResourceState

	Release pulumi.Resource
	Policy  *apiextensions.CustomResource // every ServiceEntry must depend on this
}

// NewAdmission installs Kyverno and the ClusterPolicy that rejects unapproved ServiceEntries.
func NewAdmission(ctx *pulumi.Context, name string, args *AdmissionArgs,
	opts ...pulumi.ResourceOption) (*Admission, error) {
	c := &Admission{}
	if err := ctx.RegisterComponentResource("egress-mesh:authz:Admission", name, c, opts...); err != nil {
		return nil, err
	}

	// helm/v3 Release, because the chart relies on Helm hooks: a post-upgrade Job migrates CRDs and pre-delete
	// Jobs scale Kyverno to zero and remove its webhook configurations. helm/v4 Chart skips hooks (webhooks
	// would outlive a destroy and block the API server); helm/v3 Chart would run the scale-to-zero Job at
	// install. A Release runs them as Helm does, and waits for Kyverno to be ready.
	release, err := helmv3.NewRelease(ctx, name, &helmv3.ReleaseArgs{
		Chart:           pulumi.String(versions.KyvernoChart.Name),
		Version:         pulumi.String(versions.KyvernoChart.Version),
		RepositoryOpts:  &helmv3.RepositoryOptsArgs{Repo: pulumi.String(versions.KyvernoChart.Repo)},
		Name:            pulumi.String("kyverno"),
		Namespace:       pulumi.String(KyvernoNamespace),
		CreateNamespace: pulumi.Bool(true),
		Values: pulumi.Map{
			// Rebuild the webhooks when a CRD appears: a ServiceEntry CRD created after the policy would
			// otherwise never be protected.
			"admissionController": pulumi.Map{"crdWatcher": pulumi.Bool(true)},
			// The reports controller reads the kinds policies name; without this, creating the policy warns
			// that it lacks RBAC on serviceentries (the chart grants get/list/watch).
			"reportsController": pulumi.Map{"rbac": pulumi.Map{"clusterRole": pulumi.Map{
				"extraResources": pulumi.Array{pulumi.Map{
					"apiGroups": pulumi.ToStringArray([]string{"networking.istio.io"}),
					"resources": pulumi.ToStringArray([]string{"serviceentries"}),
				}},
			}}},
		},
	}, args.Target.Opts(c, pulumi.DependsOn(args.DependsOn))...)
	if err != nil {
		return nil, err
	}
	c.Release = release

	c.Policy, err = kube.Object(ctx, args.Target, c, "kyverno.io/v1", "ClusterPolicy",
		kube.Meta{Name: ClusterPolicyName},
		map[string]any{"spec": approvalPolicySpec()},
		pulumi.DependsOn([]pulumi.Resource{release}))
	if err != nil {
		return nil, err
	}

	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"policy": pulumi.String(ClusterPolicyName)})
}

// approvalPolicySpec rejects any ServiceEntry without the approval label set to "true". failureAction sits on
// the rule (spec.validationFailureAction is deprecated); background is off because only admission matters.
func approvalPolicySpec() map[string]any {
	return map[string]any{
		"background": false,
		"rules": []any{map[string]any{
			"name":  "require-approved-egress-label",
			"match": map[string]any{"any": []any{map[string]any{"resources": map[string]any{"kinds": []any{"ServiceEntry"}}}}},
			"validate": map[string]any{
				"failureAction": "Enforce",
				"message":       "External ServiceEntries must carry label " + ApprovalLabel + `: "` + ApprovalValue + `"`,
				"pattern":       map[string]any{"metadata": map[string]any{"labels": map[string]any{ApprovalLabel: ApprovalValue}}},
			},
		}},
	}
}
