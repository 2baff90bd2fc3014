package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	_ "github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	_ "github.com/stretchr/testify/assert"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/yaml/v2"
	_ "github.com/egress-mesh/egress-mesh/components/cluster"
	_ "github.com/egress-mesh/egress-mesh/internal/recorder"
)

// Run is the program.
func Run(ctx *pulumi.Context) error {
	_, err := LoadConfig(ctx)
	return err
}
