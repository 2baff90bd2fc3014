// A throw-away Pulumi program for internal/pulumiengine's own test: one ConfigMap through an explicit Kubernetes
// provider, with the values from config so the test can change them.
package main

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		// ctx.GetConfig rather than the config package: the repository's go.sum covers only what the program uses.
		cfg := map[string]string{}
		for _, key := range []string{"kubeconfig", "key", "value"} {
			v, ok := ctx.GetConfig("configmap:" + key)
			if !ok {
				return fmt.Errorf("missing config configmap:%s", key)
			}
			cfg[key] = v
		}
		cfg["mutable"], _ = ctx.GetConfig("configmap:mutable")
		provider, err := kubernetes.NewProvider(ctx, "sim", &kubernetes.ProviderArgs{
			Kubeconfig: pulumi.String(cfg["kubeconfig"]),
			// A fixed identity, so a kubeconfig at a new temp path does not make the engine replace everything.
			ClusterIdentifier: pulumi.String("simulated-cluster"),
			// As the program's provider: a data change updates the ConfigMap in place (the default replaces it).
			EnableConfigMapMutable: pulumi.Bool(cfg["mutable"] != "false"),
		})
		if err != nil {
			return err
		}
		cm, err := corev1.NewConfigMap(ctx, "greeting", &corev1.ConfigMapArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("greeting"), Namespace: pulumi.String("default")},
			Data:     pulumi.StringMap{cfg["key"]: pulumi.String(cfg["value"])},
		}, pulumi.Provider(provider))
		if err != nil {
			return err
		}
		ctx.Export("uid", cm.Metadata.Uid())
		return nil
	})
}
