package authz

import (
	"strconv"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
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
	// AdmissionPolicyName is the admission policy's name, as in the notes.
	AdmissionPolicyName = "enforce-serviceentry-egress-label"
	// AdmissionMessage is what Kyverno answers when it refuses a ServiceEntry.
	AdmissionMessage = "External ServiceEntries must carry label " + ApprovalLabel + `: "` + ApprovalValue + `"`
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

// NewAdmission installs Kyverno and the ValidatingPolicy that rejects unapproved ServiceEntries. Kyverno 1.19
// deprecates the kyverno.io policy types (chart 3.9.0 values: "migrate to the policies.kyverno.io policy
// types"); a CEL ValidatingPolicy in Kubernetes mode guards ServiceEntries the same way: Kyverno's webhook
// controller registers a resource webhook from its matchConstraints (pkg/controllers/webhook/validating.go),
// which, with crdWatcher on, includes a CRD that appears after the policy.
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
	values := pulumi.Map{
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
	}
	// The program owns the namespace (Helm's createNamespace never deletes it): destroy then removes it, and with
	// it the ConfigMap the chart keeps on uninstall (helm.sh/resource-policy: keep). The real-engine test found
	// both left behind.
	ns, err := kube.Namespace(ctx, args.Target, c, KyvernoNamespace, nil, pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, err
	}
	releaseArgs := args.Target.ReleaseArgs(versions.KyvernoChart, "kyverno", KyvernoNamespace, values)
	release, err := kube.NewRelease(ctx, name, releaseArgs, args.Target.Opts(c, pulumi.DependsOn([]pulumi.Resource{ns}))...)
	if err != nil {
		return nil, err
	}
	c.Release = release

	// policies.kyverno.io/v1: the served, non-deprecated version of the CRD that Kyverno's chart installs (its
	// kyverno-api subchart), the one copy of it in the cluster.
	c.Policy, err = kube.Object(ctx, args.Target, c, "policies.kyverno.io/v1", "ValidatingPolicy",
		kube.Meta{Name: AdmissionPolicyName},
		map[string]any{"spec": approvalPolicySpec()},
		pulumi.DependsOn([]pulumi.Resource{release}))
	if err != nil {
		return nil, err
	}

	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"policy": pulumi.String(AdmissionPolicyName)})
}

// approvalPolicySpec refuses to create or update any ServiceEntry unless its label is exactly "true" (the seed's
// pattern "?*" would also admit "false"). Kubernetes mode is the default; Deny is Enforce. Background scans are
// off: only admission matters, and the reports controller would need RBAC on networking.istio.io for them.
func approvalPolicySpec() map[string]any {
	return map[string]any{
		"evaluation":        map[string]any{"mode": "Kubernetes", "background": map[string]any{"enabled": false}},
		"validationActions": []any{"Deny"},
		"failurePolicy":     "Fail",
		"matchConstraints": map[string]any{"resourceRules": []any{map[string]any{
			"apiGroups":   []any{"networking.istio.io"},
			"apiVersions": []any{"*"},
			"resources":   []any{"serviceentries"},
			"operations":  []any{"CREATE", "UPDATE"},
		}}},
		"validations": []any{map[string]any{
			"expression": `object.metadata.?labels[?` + strconv.Quote(ApprovalLabel) + `].orValue("") == ` + strconv.Quote(ApprovalValue),
			"message":    AdmissionMessage,
		}},
	}
}
