package ollama

import (
	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newModelPull downloads a model into the container's volume at deploy time, so the first request through
// the gateway does not wait minutes for it (and time out). It reruns when the model or the container changes;
// there is no delete: the model goes with the volume.
func newModelPull(ctx *pulumi.Context, name string, args *Args, container *docker.Container,
	parent pulumi.Resource) (*local.Command, error) {
	return local.NewCommand(ctx, name+"-pull-model", &local.CommandArgs{
		// Args.validate allows only model-name characters, so the name is safe unquoted.
		Create:   pulumi.Sprintf("docker exec %s ollama pull %s", container.Name, args.Model),
		Triggers: pulumi.Array{pulumi.String(args.Model), container.ID()},
	}, pulumi.Parent(parent), pulumi.DependsOn([]pulumi.Resource{container}))
}
