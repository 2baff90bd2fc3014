package squid

import (
	"crypto/sha256"
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/versions"
)

// HtpasswdSecret is the Secret holding the htpasswd file in cluster mode.
const HtpasswdSecret = "squid-htpasswd"

// inCluster runs Squid as a Deployment behind a ClusterIP Service, as the seed does.
func (c *Squid) inCluster(ctx *pulumi.Context, name string, args *Args) error {
	ns := args.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	labels := map[string]string{"app": Name}
	// The gateway's pods reach Squid pod to pod, unmasqueraded, so Squid sees their pod addresses. Those
	// change with every restart and no Squid ACL can follow a label, so the narrowest range Squid itself can
	// name is the pod CIDR; the NetworkPolicy below narrows it to the gateway's pods.
	conf := Conf([]string{args.PodCIDR}, args.Destinations, args.Credentials != nil)

	var err error
	// Outside the mesh: the gateway's tunnel is plain HTTP to Squid, which then goes to the internet.
	if c.Namespace, err = kube.Namespace(ctx, args.Target, c, ns, nil, pulumi.DependsOn(args.DependsOn)); err != nil {
		return err
	}
	inNS := args.Target.Opts(c, pulumi.DependsOn([]pulumi.Resource{c.Namespace}))

	cm, err := corev1.NewConfigMap(ctx, name+"-conf", &corev1.ConfigMapArgs{
		Metadata: kube.Meta{Name: "squid-conf", Namespace: ns, Labels: labels}.Args(),
		Data:     pulumi.StringMap{"squid.conf": pulumi.String(conf)},
	}, inNS...)
	if err != nil {
		return err
	}

	volumes := corev1.VolumeArray{&corev1.VolumeArgs{
		Name:      pulumi.String("conf"),
		ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: cm.Metadata.Name()},
	}}
	mounts := corev1.VolumeMountArray{&corev1.VolumeMountArgs{
		Name: pulumi.String("conf"), MountPath: pulumi.String(ConfPath), SubPath: pulumi.String("squid.conf"), ReadOnly: pulumi.Bool(true),
	}}
	if args.Credentials != nil {
		line := htpasswd(ctx, args.Credentials)
		secret, err := corev1.NewSecret(ctx, name+"-htpasswd", &corev1.SecretArgs{
			Metadata:   kube.Meta{Name: HtpasswdSecret, Namespace: ns, Labels: labels}.Args(),
			Type:       pulumi.String("Opaque"),
			StringData: pulumi.StringMap{"htpasswd": line},
		}, inNS...)
		if err != nil {
			return err
		}
		// A directory mount (no subPath), so a changed password reaches the running pod; basic_ncsa_auth
		// re-reads the file when it changes.
		volumes = append(volumes, &corev1.VolumeArgs{
			Name:   pulumi.String("htpasswd"),
			Secret: &corev1.SecretVolumeSourceArgs{SecretName: secret.Metadata.Name()},
		})
		mounts = append(mounts, &corev1.VolumeMountArgs{
			Name: pulumi.String("htpasswd"), MountPath: pulumi.String(authDir), ReadOnly: pulumi.Bool(true),
		})
	}

	// The NetworkPolicy first: Squid never runs reachable by every pod, not even for a moment.
	if err := c.onlyTheGateway(ctx, name, ns, labels, inNS); err != nil {
		return err
	}
	proxyPort := &corev1.ContainerPortArgs{Name: pulumi.String("proxy"), ContainerPort: pulumi.Int(Port)}
	if c.Deployment, err = appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: kube.Meta{Name: Name, Namespace: ns, Labels: labels}.Args(),
		Spec: kube.OneReplica(labels, &metav1.ObjectMetaArgs{
			Labels: pulumi.ToStringMap(labels),
			// subPath mounts never update in place: roll the pod when the configuration changes.
			Annotations: pulumi.StringMap{"egress-mesh/squid-conf-sha256": pulumi.String(fmt.Sprintf("%x", sha256.Sum256([]byte(conf))))},
		}, &corev1.PodSpecArgs{
			Containers: corev1.ContainerArray{&corev1.ContainerArgs{
				Name:         pulumi.String(Name),
				Image:        pulumi.String(versions.SquidImage),
				Ports:        corev1.ContainerPortArray{proxyPort},
				VolumeMounts: mounts,
				ReadinessProbe: &corev1.ProbeArgs{
					TcpSocket: &corev1.TCPSocketActionArgs{Port: pulumi.Int(Port)},
				},
			}},
			Volumes: volumes,
		}),
	}, args.Target.Opts(c, pulumi.DependsOn([]pulumi.Resource{c.Namespace, c.NetworkPolicy}))...); err != nil {
		return err
	}

	if c.Service, err = corev1.NewService(ctx, name, &corev1.ServiceArgs{
		Metadata: kube.Meta{Name: Name, Namespace: ns, Labels: labels}.Args(),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.ToStringMap(labels),
			Ports: corev1.ServicePortArray{&corev1.ServicePortArgs{
				Name: pulumi.String("proxy"), Port: pulumi.Int(Port), TargetPort: pulumi.Int(Port),
			}},
		},
	}, inNS...); err != nil {
		return err
	}

	c.Proxy = agentgateway.TunnelProxy{
		Service: &agentgateway.ServiceRef{Name: Name, Namespace: ns, Port: Port},
		Ready:   []pulumi.Resource{c.Deployment, c.Service},
	}
	c.Logs = Logs{Kind: "pod", Namespace: ns, Selector: "app=" + Name, Container: Name}
	return nil
}
