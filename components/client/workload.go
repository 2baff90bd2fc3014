package client

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// newServiceAccount gives the client its own identity rather than the namespace's "default", so a policy
// admitting it admits nothing else. The namespace comes from the Namespace's output, which orders it after.
func newServiceAccount(ctx *pulumi.Context, args *Args, ns *corev1.Namespace,
	parent pulumi.Resource) (*corev1.ServiceAccount, error) {
	meta := kube.Meta{Name: args.ServiceAccount, Namespace: args.Namespace}
	metadata := meta.Args()
	metadata.Namespace = ns.Metadata.Name()
	return corev1.NewServiceAccount(ctx, kube.ResourceName("ServiceAccount", meta), &corev1.ServiceAccountArgs{
		Metadata: metadata,
	}, args.Target.Opts(parent)...)
}

// newDeployment is seed 000's curl-test-client, corrected: its own ServiceAccount, and a sleep that never
// ends (the seed's `sleep 3600` exits after an hour and the pod restarts mid-check).
func newDeployment(ctx *pulumi.Context, args *Args, sa *corev1.ServiceAccount,
	parent pulumi.Resource, after ...pulumi.Resource) (*appsv1.Deployment, error) {
	selector := map[string]string{"app": args.Name}
	podLabels := map[string]string{"app": args.Name, dataplaneModeLabel: dataplaneAmbient}
	meta := kube.Meta{Name: args.Name, Namespace: args.Namespace, Labels: selector}
	metadata := meta.Args()
	metadata.Namespace = sa.Metadata.Namespace()

	return appsv1.NewDeployment(ctx, kube.ResourceName("Deployment", meta), &appsv1.DeploymentArgs{
		Metadata: metadata,
		Spec: kube.OneReplica(selector, &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(podLabels)}, &corev1.PodSpecArgs{
			ServiceAccountName: sa.Metadata.Name().Elem(),
			// sleep runs as PID 1 and ignores SIGTERM: without this every delete waits 30 s.
			TerminationGracePeriodSeconds: pulumi.Int(0),
			Containers: corev1.ContainerArray{&corev1.ContainerArgs{
				Name:            pulumi.String("client"),
				Image:           pulumi.String(args.Image),
				ImagePullPolicy: pulumi.String("IfNotPresent"),
				// As Istio's own curl sample does with this image.
				Command: pulumi.ToStringArray([]string{"/bin/sleep", "infinity"}),
			}},
		}),
	}, args.Target.Opts(parent, pulumi.DependsOn(append(append([]pulumi.Resource{}, args.DependsOn...), after...)))...)
}
