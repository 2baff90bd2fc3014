package authz

import (
	"crypto/sha256"
	"errors"
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// Names and ports of the Kyverno authz server as its v0.4.0 chart lays them out (charts/kyverno-authz-server:
// Service `kyverno-authz-server`, port name `grpc` -> container port `authz` 9081, probes on 9080, metrics 9082).
const (
	AuthzServiceName = "kyverno-authz-server"
	AuthzGRPCPort    = 9081
	authzProbePort   = 9080
	authzMetricsPort = 9082
	// AuthzPolicyName is the ValidatingPolicy's name inside the policy file.
	AuthzPolicyName = "egress-header-policy"
	// policyDir is where the ConfigMap holding the policy is mounted; the server reads it as a file source.
	policyDir = "/etc/kyverno-authz/policies"
	// PolicyDigestAnnotation on the server's pods is the SHA-256 of the policy file they read.
	PolicyDigestAnnotation = "egress-mesh/policy-sha256"
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

	// Policy is the ConfigMap holding the Envoy-mode ValidatingPolicy; Server is the Deployment that mounts it;
	// Service is what the gateway's ext_authz filter calls. Anything that sends traffic through the gateway
	// must wait for Server: it only becomes ready with the policy loaded.
	Policy      *corev1.ConfigMap
	Server      *appsv1.Deployment
	Service     *corev1.Service
	ServiceName string // "kyverno-authz-server"
	Namespace   string
	Port        int // 9081
	// Labels select the server's pods (the fail-closed check scales the Deployment).
	Labels map[string]string
}

// NewKyvernoAuthz runs the Kyverno Envoy authz server (kyverno/kyverno-authz) with its policy read from a file.
//
// Why not the chart's in-cluster policy source: the policy would then be a ValidatingPolicy object, and Kyverno
// 1.19's own policy webhook (pkg/webhooks/policy/handlers.go -> pkg/cel/policies/vpol/validate.go) validates
// every ValidatingPolicy by compiling it as a Kubernetes policy (its compiler treats every mode but JSON as
// Kubernetes) and requiring spec.matchConstraints: an Envoy-mode policy fails both, so with Kyverno installed on
// this path its creation is refused. Read from a mounted file (upstream's sidecar-injector docs do the same), the
// policy never reaches Kyverno, the server needs no RBAC at all, and its pod cannot start without the policy:
// no window in which the server answers with its default allow (an empty CheckResponse when no policy matched,
// pkg/authz/envoy/service.go). The chart is not used because it also always deploys a validation webhook whose
// serving certificate must come from cert-manager or static values, and whose replicas cannot be set to 0
// (`with .deployment.replicas` drops a 0).
func NewKyvernoAuthz(ctx *pulumi.Context, name string, args *KyvernoAuthzArgs,
	opts ...pulumi.ResourceOption) (*KyvernoAuthz, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("kyverno authz %s: %w", name, err)
	}
	labels := map[string]string{"app.kubernetes.io/name": AuthzServiceName, "app.kubernetes.io/component": "authz-server"}
	c := &KyvernoAuthz{ServiceName: AuthzServiceName, Namespace: args.Namespace, Port: AuthzGRPCPort, Labels: labels}
	if err := ctx.RegisterComponentResource("egress-mesh:authz:KyvernoAuthz", name, c, opts...); err != nil {
		return nil, err
	}

	ns, err := kube.Namespace(ctx, args.Target, c, args.Namespace, nil, pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, err
	}
	inNS := args.Target.Opts(c, pulumi.DependsOn([]pulumi.Resource{ns}))
	meta := kube.Meta{Name: AuthzServiceName, Namespace: args.Namespace, Labels: labels}

	policy, err := PolicyYAML(args.Header, args.Allowed)
	if err != nil {
		return nil, err
	}
	if c.Policy, err = corev1.NewConfigMap(ctx, name+"-policy", &corev1.ConfigMapArgs{
		Metadata: kube.Meta{Name: AuthzServiceName + "-policy", Namespace: args.Namespace, Labels: labels}.Args(),
		Data:     pulumi.StringMap{"policy.yaml": pulumi.String(policy)},
	}, inNS...); err != nil {
		return nil, err
	}
	sa, err := corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{Metadata: meta.Args()}, inNS...)
	if err != nil {
		return nil, err
	}
	if c.Server, err = appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: meta.Args(),
		Spec: kube.OneReplica(labels, &metav1.ObjectMetaArgs{
			Labels: pulumi.ToStringMap(labels),
			// The server reads its file source once, at start (utils.GetExternalSources wraps it in
			// sdksources.NewOnce), and the ConfigMap is updated in place: roll the pod when the policy changes,
			// or the old policy keeps deciding.
			Annotations: pulumi.StringMap{PolicyDigestAnnotation: pulumi.String(fmt.Sprintf("%x", sha256.Sum256([]byte(policy))))},
		}, serverPodSpec(sa, c.Policy)),
	}, args.Target.Opts(c, pulumi.DependsOn([]pulumi.Resource{ns, c.Policy}))...); err != nil {
		return nil, err
	}
	if c.Service, err = corev1.NewService(ctx, name, &corev1.ServiceArgs{
		Metadata: meta.Args(),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.ToStringMap(labels),
			Ports: corev1.ServicePortArray{&corev1.ServicePortArgs{
				Name: pulumi.String("grpc"), Port: pulumi.Int(AuthzGRPCPort), TargetPort: pulumi.String("authz"),
				// Envoy speaks gRPC (HTTP/2 in clear text) to the server.
				AppProtocol: pulumi.String("kubernetes.io/h2c"),
			}},
		},
	}, inNS...); err != nil {
		return nil, err
	}

	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"service":   pulumi.String(c.ServiceName),
		"namespace": pulumi.String(c.Namespace),
		"port":      pulumi.Int(c.Port),
	})
}

// serverPodSpec is the chart's authz-server container (templates/authz-server/deployment.yaml at v0.4.0: args,
// ports, probes, security context), reading policies from the mounted file instead of the cluster.
func serverPodSpec(sa *corev1.ServiceAccount, policy *corev1.ConfigMap) *corev1.PodSpecArgs {
	probe := func(path string, initial, period, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet:             &corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: pulumi.Int(authzProbePort)},
			InitialDelaySeconds: pulumi.Int(initial), PeriodSeconds: pulumi.Int(period), FailureThreshold: pulumi.Int(failures),
		}
	}
	return &corev1.PodSpecArgs{
		ServiceAccountName: sa.Metadata.Name().Elem(),
		Containers: corev1.ContainerArray{&corev1.ContainerArgs{
			Name:  pulumi.String("server"),
			Image: pulumi.String(versions.KyvernoAuthzImage),
			Args: pulumi.ToStringArray([]string{
				"serve", "envoy", "authz-server",
				fmt.Sprintf("--probes-address=:%d", authzProbePort),
				fmt.Sprintf("--metrics-address=:%d", authzMetricsPort),
				"--kube-policy-source=false",
				"--external-policy-source=file://" + policyDir,
				"--grpc-network=tcp",
				fmt.Sprintf("--grpc-address=:%d", AuthzGRPCPort),
			}),
			Ports: corev1.ContainerPortArray{
				&corev1.ContainerPortArgs{Name: pulumi.String("probes"), ContainerPort: pulumi.Int(authzProbePort)},
				&corev1.ContainerPortArgs{Name: pulumi.String("authz"), ContainerPort: pulumi.Int(AuthzGRPCPort)},
				&corev1.ContainerPortArgs{Name: pulumi.String("metrics"), ContainerPort: pulumi.Int(authzMetricsPort)},
			},
			StartupProbe:   probe("/livez", 2, 6, 20),
			LivenessProbe:  probe("/livez", 15, 30, 2),
			ReadinessProbe: probe("/readyz", 5, 10, 6),
			SecurityContext: &corev1.SecurityContextArgs{
				RunAsNonRoot: pulumi.Bool(true), Privileged: pulumi.Bool(false),
				AllowPrivilegeEscalation: pulumi.Bool(false), ReadOnlyRootFilesystem: pulumi.Bool(true),
				Capabilities:   &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
				SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
			},
			VolumeMounts: corev1.VolumeMountArray{&corev1.VolumeMountArgs{
				Name: pulumi.String("policies"), MountPath: pulumi.String(policyDir), ReadOnly: pulumi.Bool(true),
			}},
		}},
		Volumes: corev1.VolumeArray{&corev1.VolumeArgs{
			Name:      pulumi.String("policies"),
			ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: policy.Metadata.Name().Elem()},
		}},
	}
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
